#pragma once

#include "model/core/session.h"

#include <QList>
#include <QMainWindow>
#include <QPointer>
#include <QSslCertificate>

class QAction;
class QDockWidget;
class QLabel;
class QProgressBar;
class QSplitter;
class QTableView;
class QToolButton;

namespace TlsLab::Model {
class Lab;
class TimelineExport;
} // namespace TlsLab::Model

namespace TlsLab::Widgets {

class CaptureWindow;
class ClientPanel;
class ListenerPanel;
class SessionDetails;
class SessionTableModel;
class TimelineView;

// The TLS Lab main window: a view of a Lab (which owns the timeline, the listener and the clients, and outlives the
// window). It composes the listener and client panels (docks), the sessions list with the selected session's
// details, and the timeline; chains open in the CertificateViewer, "Generate…" opens the CertificateDialog.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(Model::Lab &lab, QWidget *parent = nullptr);
    ~MainWindow() override;

    ListenerPanel *listenerPanel() const { return m_listenerPanel; }
    ClientPanel *clientPanel() const { return m_clientPanel; }
    TimelineView *timelineView() const { return m_timelineView; }
    SessionTableModel *sessionModel() const { return m_sessionModel; }
    QTableView *sessionTable() const { return m_sessionTable; }
    SessionDetails *sessionDetails() const { return m_sessionDetails; }
    QAction *generateCertificateAction() const { return m_generateAction; }

    // Shows a chain in a new CertificateViewer window. `session` is the session the chain was presented in (id 0 for
    // a file): its trust anchors and checked name give the verdict that session reached. Returns the window.
    QWidget *showCertificates(
        const QList<QSslCertificate> &chain, const QString &title, const Model::Session &session = {});
    // The certificate generation dialog; forListener: its certificate becomes the listener's.
    void openCertificateDialog(bool forListener);
    // Reads a PEM or DER certificate file and shows it; false (with a status message) when nothing could be read.
    bool openCertificateFile(const QString &path);
    // Opens a capture file (*.tlscap) read-only in a window of its own, read off the GUI thread; the live timeline
    // is left as it is. What File > Open Capture and a dropped capture call. Returns the window (it deletes itself
    // when closed); its loaded() signal says what was read, and the message is shown in this status bar too.
    CaptureWindow *openCapture(const QString &path);
    // Whether a file is a capture (by its magic; by its .tlscap suffix when it is too short to have one).
    static bool isCaptureFile(const QString &path);
    QAction *openCaptureAction() const { return m_openCaptureAction; }

    // The most events the live timeline keeps in memory (setting "timeline/eventBudget", 0 = all of them); older
    // ones are only in the running capture, and the status bar says so (label "droppedEventsLabel").
    static constexpr qsizetype DefaultEventBudget = 1'000'000;
    void setEventBudget(qsizetype budget); // applies and remembers it

    // Connects a plaintext client to the running listener and sends the payload.
    void plaintextConnect(const QByteArray &payload);
    // Writes the timeline as JSON lines (".jsonl"/".json") or CSV (".csv") in the background with progress.
    void exportTimeline(const QString &path);
    bool isExporting() const;
    // Writes the peer chain of a session as PEM.
    bool exportSessionChain(quint64 sessionId, const QString &path);
    void selectSession(quint64 id);

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createActions();
    void updateActions();
    void onSessionSelectionChanged();
    void chooseExportFile();
    void chooseChainExportFile(quint64 sessionId);
    void chooseCertificateFile();
    void chooseCaptureFile();
    void clearTimeline();
    void undoClearTimeline();
    void showAbout();
    void showHelp();
    void selectSessionWhenListed();
    void chooseEventBudget();
    void updateDroppedNotice();
    void loadSettings();
    void saveSettings() const;

    Model::Lab &m_lab;
    ListenerPanel *m_listenerPanel = nullptr;
    ClientPanel *m_clientPanel = nullptr;
    TimelineView *m_timelineView = nullptr;
    SessionTableModel *m_sessionModel = nullptr;
    QTableView *m_sessionTable = nullptr;
    SessionDetails *m_sessionDetails = nullptr;
    QSplitter *m_mainSplitter = nullptr;
    QSplitter *m_topSplitter = nullptr;
    QDockWidget *m_listenerDock = nullptr;
    QDockWidget *m_clientDock = nullptr;
    QProgressBar *m_exportProgress = nullptr;
    QToolButton *m_exportCancel = nullptr;
    QLabel *m_droppedNotice = nullptr; // events the budget moved out of memory, said until the timeline is cleared
    Model::TimelineExport *m_export = nullptr;
    QPointer<QDialog> m_certificateDialog;
    QPointer<QDialog> m_helpDialog;
    quint64 m_sessionToSelect = 0; // a client's session to select as soon as the table lists it

    QAction *m_startAction = nullptr;
    QAction *m_plaintextAction = nullptr;
    QAction *m_connectAction = nullptr;
    QAction *m_closeClientAction = nullptr;
    QAction *m_exportAction = nullptr;
    QAction *m_exportChainAction = nullptr;
    QAction *m_openCertificateAction = nullptr;
    QAction *m_openCaptureAction = nullptr;
    QAction *m_clearAction = nullptr;
    QAction *m_undoClearAction = nullptr;
    QAction *m_generateAction = nullptr;
    QAction *m_followAction = nullptr;
    QString m_lastDirectory;
};

} // namespace TlsLab::Widgets
