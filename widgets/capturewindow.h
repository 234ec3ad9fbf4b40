#pragma once

#include <QFutureWatcher>
#include <QMainWindow>
#include <QString>

#include <atomic>
#include <memory>

class QLabel;
class QProgressBar;
class QTableView;

namespace TlsLab::Model {
class Timeline;
} // namespace TlsLab::Model

namespace TlsLab::Widgets {

class SessionDetails;
class SessionTableModel;
class TimelineView;

// What reading a capture into a window came to: a value handed from the reading thread to the GUI thread.
struct CaptureLoad
{
    bool ok = false; // false: nothing could be read (not a capture, unreadable); message says why
    bool damaged = false; // read up to damage in the file; message says where it stopped
    bool cancelled = false;
    qsizetype events = 0;
    qsizetype sessions = 0;
    qint64 readMs = 0; // reading the file into the timeline (the rest is the views catching up)
    QString message; // one sentence for the status bar
};

// A read-only window over one capture file (*.tlscap): its sessions, their details and its events in the same views
// as the live window, over a Timeline of its own. The live window's timeline is never touched, so a running listener
// keeps recording (and writing its own capture) beside it and no session id of the file can meet a live one.
//
// The file is read, and its events appended to this window's timeline, on a pool thread (the timeline's append is
// thread-safe and announces new rows to the views in the GUI thread, coalesced): a million events do not freeze the
// window, and the rows appear as they are read. A truncated or damaged file shows everything before the damage, with
// where and why reading stopped in the status bar.
class CaptureWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CaptureWindow)

public:
    explicit CaptureWindow(QWidget *parent = nullptr);
    ~CaptureWindow() override; // stops the reading and waits for it: the reader writes into this window's timeline

    // Reads the capture at path into this (empty) window; loaded() follows. Once per window.
    void open(const QString &path);
    bool isLoading() const;
    QString path() const { return m_path; }
    // The status bar's sentence once loaded (empty while reading).
    QString message() const { return m_load.message; }
    const CaptureLoad &result() const { return m_load; }

    // The views are made once the sessions are read (viewsCreated()), or when reading ends; null before.
    Model::Timeline *timeline() const { return m_timeline.get(); }
    SessionTableModel *sessionModel() const { return m_sessionModel; }
    QTableView *sessionTable() const { return m_sessionTable; }
    SessionDetails *sessionDetails() const { return m_sessionDetails; }
    TimelineView *timelineView() const { return m_timelineView; }

Q_SIGNALS:
    void viewsCreated();
    // Reading ended; ok is false when nothing could be read. result() has the details.
    void loaded(bool ok, const QString &message);

private:
    void createViews();
    void onSessionSelectionChanged();
    void finishLoading(const CaptureLoad &result);

    // Declared first so that it is destroyed last, after the views that read it.
    std::unique_ptr<Model::Timeline> m_timeline;
    QString m_path;
    SessionTableModel *m_sessionModel = nullptr;
    QTableView *m_sessionTable = nullptr;
    SessionDetails *m_sessionDetails = nullptr;
    TimelineView *m_timelineView = nullptr;
    QLabel *m_status = nullptr;
    QProgressBar *m_progress = nullptr;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    QFutureWatcher<CaptureLoad> m_watcher;
    CaptureLoad m_load;
    bool m_loading = false; // from open() until loaded() (the future finishes before its watcher says so)
};

} // namespace TlsLab::Widgets
