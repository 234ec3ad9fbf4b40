#include "widgets/mainwindow.h"

#include "model/capture/captureformat.h"
#include "model/capture/capturewriter.h"
#include "model/certs/certificateio.h"
#include "model/lab.h"
#include "model/timeline/timeline.h"
#include "model/timeline/timelineexport.h"
#include "model/tls/client.h"
#include "model/tls/listener.h"
#include "model/tls/tlstext.h"
#include "widgets/capturewindow.h"
#include "widgets/certificatedialog.h"
#include "widgets/certificateviewer.h"
#include "widgets/clientpanel.h"
#include "widgets/eventtablemodel.h"
#include "widgets/listenerpanel.h"
#include "widgets/sessiondetails.h"
#include "widgets/sessiontablemodel.h"
#include "widgets/sessiontableview.h"
#include "widgets/theme.h"
#include "widgets/timelineview.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSaveFile>
#include <QScreen>
#include <QScrollArea>
#include <QSettings>
#include <QSplitter>
#include <QSslSocket>
#include <QStatusBar>
#include <QTableView>
#include <QTextBrowser>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <limits>

using namespace Qt::StringLiterals;

namespace TlsLab::Widgets {

using namespace TlsLab::Model;

namespace {
QScrollArea *scrolled(QWidget *panel, QWidget *parent)
{
    auto *area = new QScrollArea(parent);
    area->setWidget(panel);
    area->setWidgetResizable(true);
    area->setFrameShape(QFrame::NoFrame);
    // A panel narrower than its form scrolls sideways rather than cutting its fields off.
    area->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    return area;
}
} // namespace

MainWindow::MainWindow(Lab &lab, QWidget *parent)
    : QMainWindow(parent)
    , m_lab(lab)
{
    setObjectName(u"mainWindow"_s);
    setWindowTitle(tr("TLS Lab"));
    setWindowIcon(QIcon(u":/icons/app.svg"_s));
    setAcceptDrops(true);
    setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);

    // Panels.
    m_listenerPanel = new ListenerPanel(&m_lab.listener(), this);
    m_listenerPanel->setObjectName(u"listenerPanel"_s);
    m_clientPanel = new ClientPanel(&m_lab, this);
    m_clientPanel->setObjectName(u"clientPanel"_s);
    m_listenerDock = new QDockWidget(tr("Listener"), this);
    m_listenerDock->setObjectName(u"listenerDock"_s);
    m_listenerDock->setWidget(scrolled(m_listenerPanel, m_listenerDock));
    m_listenerDock->setFeatures(
        QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable | QDockWidget::DockWidgetClosable);
    m_clientDock = new QDockWidget(tr("Client"), this);
    m_clientDock->setObjectName(u"clientDock"_s);
    m_clientDock->setWidget(scrolled(m_clientPanel, m_clientDock));
    m_clientDock->setFeatures(m_listenerDock->features());
    addDockWidget(Qt::LeftDockWidgetArea, m_listenerDock);
    addDockWidget(Qt::LeftDockWidgetArea, m_clientDock);
    tabifyDockWidget(m_listenerDock, m_clientDock);
    setTabPosition(Qt::LeftDockWidgetArea, QTabWidget::North);
    m_listenerDock->raise();

    // Sessions and their details.
    m_sessionModel = new SessionTableModel(&m_lab.timeline(), this);
    m_sessionTable = new SessionTableView(m_sessionModel, this);
    m_sessionTable->setObjectName(u"sessionTable"_s);
    m_sessionTable->setAccessibleName(tr("Sessions"));
    m_sessionDetails = new SessionDetails(&m_lab.timeline(), this);
    m_timelineView = new TimelineView(&m_lab.timeline(), this);

    m_topSplitter = new QSplitter(Qt::Horizontal, this);
    m_topSplitter->setObjectName(u"topSplitter"_s);
    m_topSplitter->addWidget(m_sessionTable);
    m_topSplitter->addWidget(m_sessionDetails);
    // Sessions and details share the width evenly: at 1024x768 the details (verdict, chain strip, ladder) were left
    // 300 px and the ladder a few rungs of height.
    m_topSplitter->setStretchFactor(0, 1);
    m_topSplitter->setStretchFactor(1, 1);
    m_topSplitter->setSizes({460, 440});
    m_mainSplitter = new QSplitter(Qt::Vertical, this);
    m_mainSplitter->setObjectName(u"mainSplitter"_s);
    m_mainSplitter->addWidget(m_topSplitter);
    m_mainSplitter->addWidget(m_timelineView);
    m_mainSplitter->setStretchFactor(0, 1);
    m_mainSplitter->setStretchFactor(1, 1);
    m_mainSplitter->setSizes({440, 360});
    setCentralWidget(m_mainSplitter);

    // Status bar with the export progress.
    m_export = new TimelineExport(&m_lab.timeline(), this);
    m_exportProgress = new QProgressBar(this);
    m_exportProgress->setMaximumWidth(220);
    m_exportProgress->hide();
    m_exportCancel = new QToolButton(this);
    m_exportCancel->setText(tr("Cancel export"));
    m_exportCancel->hide();
    // What the event budget moved out of memory: permanent, so that transient messages do not hide it for long.
    m_droppedNotice = new QLabel(this);
    m_droppedNotice->setObjectName(u"droppedEventsLabel"_s);
    m_droppedNotice->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_droppedNotice->hide();
    statusBar()->addPermanentWidget(m_droppedNotice);
    connect(&m_lab.timeline(), &Timeline::eventsDropped, this, &MainWindow::updateDroppedNotice);
    connect(&m_lab.timeline(), &Timeline::cleared, this, &MainWindow::updateDroppedNotice);
    statusBar()->addPermanentWidget(m_exportProgress);
    statusBar()->addPermanentWidget(m_exportCancel);
    connect(m_exportCancel, &QToolButton::clicked, m_export, &TimelineExport::cancel);
    connect(m_export, &TimelineExport::progressChanged, this, [this](qint64 done, qint64 total) {
        m_exportProgress->setRange(0, 1000);
        m_exportProgress->setValue(total ? int(done * 1000 / total) : 1000);
        m_exportProgress->setFormat(tr("Exporting %p%"));
        m_exportProgress->show();
        m_exportCancel->show();
    });
    connect(m_export, &TimelineExport::finished, this, [this](const QString &, bool, const QString &message) {
        m_exportProgress->hide();
        m_exportCancel->hide();
        statusBar()->showMessage(message, 10000);
        updateActions();
    });

    createActions();

    connect(m_listenerPanel, &ListenerPanel::plaintextConnectRequested, this, &MainWindow::plaintextConnect);
    connect(
        m_listenerPanel, &ListenerPanel::generateCertificateRequested, this, [this] { openCertificateDialog(true); });
    connect(&m_lab.listener(), &Listener::started, this, &MainWindow::updateActions);
    connect(&m_lab.listener(), &Listener::stopped, this, &MainWindow::updateActions);
    connect(m_sessionTable->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &MainWindow::onSessionSelectionChanged);
    connect(m_sessionDetails, &SessionDetails::certificateChainRequested, this, [this](const auto &chain) {
        showCertificates(chain, tr("Peer certificate chain of session #%1").arg(m_sessionDetails->sessionId()),
            m_lab.timeline().session(m_sessionDetails->sessionId()));
    });
    connect(m_sessionDetails, &SessionDetails::certificateRequested, this, [this](const auto &chain, int index) {
        auto *viewer = qobject_cast<CertificateViewer *>(
            showCertificates(chain, tr("Peer certificate chain of session #%1").arg(m_sessionDetails->sessionId()),
                m_lab.timeline().session(m_sessionDetails->sessionId())));
        if (viewer)
            viewer->selectCertificate(index);
    });
    connect(m_sessionDetails, &SessionDetails::exportChainRequested, this, &MainWindow::chooseChainExportFile);
    connect(m_clientPanel, &ClientPanel::certificateChainRequested, this,
        [this](const QList<QSslCertificate> &chain, quint64 sessionId) {
            showCertificates(chain, tr("Certificate awaiting your decision (session #%1)").arg(sessionId),
                m_lab.timeline().session(sessionId));
        });
    connect(m_sessionDetails, &SessionDetails::eventSelected, m_timelineView, &TimelineView::selectEvent);
    connect(m_sessionDetails, &SessionDetails::ladderExported, this,
        [this](bool, const QString &message) { statusBar()->showMessage(message, 10000); });
    // Activating a session (double click, Enter) opens its peer's certificate.
    connect(m_sessionTable, &QTableView::activated, this, [this](const QModelIndex &index) {
        const Session s = m_lab.timeline().session(index.data(SessionTableModel::SessionIdRole).toULongLong());
        if (!s.peerChain.isEmpty())
            showCertificates(s.peerChain, tr("Peer certificate chain of session #%1").arg(s.id), s);
    });
    connect(m_clientPanel, &ClientPanel::clientStarted, this, [this] {
        // Show the client's progress where the user will look next: the newest session and the timeline's tail.
        m_timelineView->setFollowTail(true);
        if (const Client *client = m_clientPanel->client()) {
            m_sessionToSelect = client->sessionId();
            selectSessionWhenListed();
        }
    });
    // The client's session row appears with the model's next flush.
    connect(m_sessionModel, &QAbstractItemModel::rowsInserted, this, &MainWindow::selectSessionWhenListed);

    loadSettings();
    updateActions();
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions()
{
    auto make = [this](const QString &text, const QString &icon, const QKeySequence &shortcut, auto slot) {
        auto *action = new QAction(text, this);
        if (!icon.isEmpty())
            action->setIcon(QIcon(icon));
        if (!shortcut.isEmpty()) {
            action->setShortcut(shortcut);
            action->setToolTip(
                text.split(u'\t').first().remove(u'&') + u" ("_s + shortcut.toString(QKeySequence::NativeText) + u')');
        }
        connect(action, &QAction::triggered, this, slot);
        return action;
    };

    m_openCertificateAction = make(
        tr("&Open Certificate…"), u":/icons/open.svg"_s, QKeySequence::Open, [this] { chooseCertificateFile(); });
    // Ctrl+O is the certificate's (the first thing the window opened); a capture is the shifted variant.
    m_openCaptureAction
        = make(tr("Open Ca&pture…"), QString(), QKeySequence(tr("Ctrl+Shift+O")), [this] { chooseCaptureFile(); });
    m_openCaptureAction->setObjectName(u"openCaptureAction"_s);
    m_exportAction = make(
        tr("&Export Timeline…"), u":/icons/export.svg"_s, QKeySequence(tr("Ctrl+E")), [this] { chooseExportFile(); });
    m_exportChainAction = make(tr("Export Session &Chain…"), QString(), QKeySequence(tr("Ctrl+Shift+E")),
        [this] { chooseChainExportFile(m_sessionDetails->sessionId()); });
    // Ctrl+Q spelled out: QKeySequence::Quit is empty where the platform has no quit key (Windows, offscreen).
    QAction *quit = make(tr("&Quit"), QString(), QKeySequence(tr("Ctrl+Q")), [this] { close(); });

    m_startAction = make(tr("&Start Listener"), u":/icons/start.svg"_s, QKeySequence(tr("F5")),
        [this] { m_listenerPanel->toggleListener(); });
    m_startAction->setObjectName(u"startAction"_s);
    m_plaintextAction = make(tr("&Plaintext Connect"), u":/icons/plaintext.svg"_s, QKeySequence(tr("Ctrl+Shift+P")),
        [this] { m_listenerPanel->requestPlaintextConnect(); });
    m_plaintextAction->setObjectName(u"plaintextAction"_s);
    m_generateAction = make(tr("&Generate Certificate…"), u":/icons/certificate.svg"_s, QKeySequence(),
        [this] { openCertificateDialog(false); });
    m_generateAction->setObjectName(u"generateCertificateAction"_s);

    m_connectAction = make(tr("&Connect"), u":/icons/connect.svg"_s, QKeySequence(tr("Ctrl+K")), [this] {
        m_clientDock->show();
        m_clientDock->raise();
        m_clientPanel->connectToServer();
    });
    m_connectAction->setObjectName(u"connectAction"_s);
    m_closeClientAction = make(tr("C&lose Connection"), QString(), QKeySequence(tr("Ctrl+Shift+K")),
        [this] { m_clientPanel->closeConnection(); });

    m_clearAction
        = make(tr("C&lear Timeline"), u":/icons/clear.svg"_s, QKeySequence(tr("Ctrl+L")), [this] { clearTimeline(); });
    m_undoClearAction
        = make(tr("&Undo Clear Timeline"), QString(), QKeySequence::Undo, [this] { undoClearTimeline(); });
    m_undoClearAction->setObjectName(u"undoClearAction"_s);
    m_undoClearAction->setEnabled(false);
    QAction *find = make(tr("&Find…"), QString(), QKeySequence::Find, [this] { m_timelineView->focusSearch(); });
    m_followAction = make(tr("Follow &Newest Events"), QString(), QKeySequence(tr("Ctrl+End")),
        [this](bool on) { m_timelineView->setFollowTail(on); });
    m_followAction->setCheckable(true);
    m_followAction->setChecked(true);
    QAction *help = make(tr("TLS Lab &Help"), QString(), QKeySequence::HelpContents, [this] { showHelp(); });
    help->setObjectName(u"helpAction"_s);
    QAction *about = make(tr("&About TLS Lab"), QString(), QKeySequence(), [this] { showAbout(); });
    // Where the keyboard goes: one shortcut per area of the window.
    QAction *focusSessions = make(tr("Go to &Sessions"), QString(), QKeySequence(tr("Ctrl+1")), [this] {
        m_sessionTable->setFocus(Qt::ShortcutFocusReason);
        if (!m_sessionTable->currentIndex().isValid() && m_sessionModel->rowCount() > 0)
            m_sessionTable->setCurrentIndex(m_sessionModel->index(m_sessionModel->rowCount() - 1, 0));
    });
    focusSessions->setObjectName(u"focusSessionsAction"_s);
    QAction *focusTimeline = make(tr("Go to &Timeline"), QString(), QKeySequence(tr("Ctrl+2")),
        [this] { m_timelineView->table()->setFocus(Qt::ShortcutFocusReason); });
    focusTimeline->setObjectName(u"focusTimelineAction"_s);
    QAction *focusDetails = make(tr("Go to Session &Details"), QString(), QKeySequence(tr("Ctrl+3")),
        [this] { m_sessionDetails->focusCurrentTab(); });
    focusDetails->setObjectName(u"focusDetailsAction"_s);
    QAction *focusLadder = make(tr("Go to &Handshake Ladder"), QString(), QKeySequence(tr("Ctrl+4")), [this] {
        m_sessionDetails->showLadder();
        m_sessionDetails->focusCurrentTab();
    });
    focusLadder->setObjectName(u"focusLadderAction"_s);
    QAction *aboutQt = make(tr("About &Qt"), QString(), QKeySequence(), [] { QApplication::aboutQt(); });

    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_openCertificateAction);
    file->addAction(m_openCaptureAction);
    file->addSeparator();
    file->addAction(m_exportAction);
    file->addAction(m_exportChainAction);
    file->addSeparator();
    file->addAction(quit);
    QMenu *listener = menuBar()->addMenu(tr("&Listener"));
    listener->addAction(m_startAction);
    listener->addAction(m_plaintextAction);
    listener->addSeparator();
    listener->addAction(m_generateAction);
    QMenu *client = menuBar()->addMenu(tr("&Client"));
    client->addAction(m_connectAction);
    client->addAction(m_closeClientAction);
    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(focusSessions);
    view->addAction(focusTimeline);
    view->addAction(focusDetails);
    view->addAction(focusLadder);
    view->addAction(find);
    view->addAction(m_followAction);
    view->addAction(m_clearAction);
    view->addAction(m_undoClearAction);
    view->addAction(make(tr("Events Kept in &Memory…"), QString(), QKeySequence(), [this] { chooseEventBudget(); }));
    view->addSeparator();
    view->addAction(m_listenerDock->toggleViewAction());
    view->addAction(m_clientDock->toggleViewAction());
    view->addSeparator();
    QMenu *themeMenu = view->addMenu(tr("Th&eme"));
    themeMenu->setObjectName(u"themeMenu"_s);
    auto *themes = new QActionGroup(this);
    for (const auto &[theme, text] : {std::pair {Theme::System, tr("&System")}, std::pair {Theme::Light, tr("&Light")},
             std::pair {Theme::Dark, tr("&Dark")}}) {
        QAction *action = themeMenu->addAction(text);
        action->setObjectName(u"theme-"_s + themeName(theme));
        action->setCheckable(true);
        action->setChecked(theme == currentTheme());
        themes->addAction(action);
        connect(action, &QAction::triggered, this, [theme] {
            applyTheme(theme);
            QSettings().setValue(u"view/theme"_s, themeName(theme));
        });
    }
    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    helpMenu->addAction(help);
    helpMenu->addAction(about);
    helpMenu->addAction(aboutQt);

    QToolBar *bar = addToolBar(tr("Main"));
    bar->setObjectName(u"mainToolBar"_s);
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->addAction(m_startAction);
    bar->addAction(m_plaintextAction);
    bar->addAction(m_connectAction);
    bar->addSeparator();
    bar->addAction(m_openCertificateAction);
    bar->addAction(m_exportAction);
    bar->addAction(m_clearAction);

    // The follow checkbox of the timeline and the menu entry are one setting.
    connect(m_timelineView, &TimelineView::followTailChanged, m_followAction, &QAction::setChecked);
}

void MainWindow::updateActions()
{
    const bool listening = m_lab.listener().isListening();
    m_startAction->setText(listening ? tr("&Stop Listener") : tr("&Start Listener"));
    m_startAction->setIcon(QIcon(listening ? u":/icons/stop.svg"_s : u":/icons/start.svg"_s));
    m_plaintextAction->setEnabled(listening);
    m_exportAction->setEnabled(!m_export->isRunning());
    m_exportChainAction->setEnabled(!m_lab.timeline().session(m_sessionDetails->sessionId()).peerChain.isEmpty());
}

void MainWindow::openCertificateDialog(bool forListener)
{
    // One dialog at a time; it stays open (non-modal) so that the window keeps running while keys are made.
    if (m_certificateDialog) {
        m_certificateDialog->raise();
        m_certificateDialog->activateWindow();
        return;
    }
    auto *dialog = new CertificateDialog(this);
    dialog->setObjectName(u"certificateDialog"_s);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!m_lastDirectory.isEmpty() && !dialog->remembersOutputDirectory())
        dialog->setOutputDirectory(m_lastDirectory);
    m_certificateDialog = dialog;
    auto created = std::make_shared<bool>(false);
    connect(dialog, &CertificateDialog::identityCreated, this, [this, forListener, created](const Identity &identity) {
        *created = true;
        statusBar()->showMessage(tr("Certificate written to %1").arg(identity.certificatePath), 10000);
        if (forListener)
            m_listenerPanel->useCertificateFiles(identity.certificatePath, identity.keyPath);
    });
    connect(dialog, &QDialog::finished, this, [this, forListener, created] {
        if (forListener && !*created)
            m_listenerPanel->cancelGenerate();
    });
    dialog->open();
}

QWidget *MainWindow::showCertificates(const QList<QSslCertificate> &chain, const QString &title, const Session &session)
{
    // Every field, a verdict per certificate, PEM and export, in a window of its own.
    auto *viewer = new CertificateViewer(this);
    viewer->setObjectName(u"certificateViewerWindow"_s);
    viewer->setWindowFlag(Qt::Window);
    viewer->setAttribute(Qt::WA_DeleteOnClose);
    // A session's chain is judged against what that session trusted (and, for a client, the name it asked for); a
    // file's against the system's CAs.
    const QString name = session.side == Side::Client ? session.peerName : QString();
    viewer->setChain(chain, session.trustAnchors, session.systemTrust, name);
    viewer->resize(900, 700);
    viewer->setWindowTitle(title);
    viewer->show();
    viewer->raise();
    viewer->activateWindow();
    return viewer;
}

bool MainWindow::openCertificateFile(const QString &path)
{
    const Result<QList<QSslCertificate>> chain = CertificateIo::readCertificates(path);
    if (!chain) {
        statusBar()->showMessage(chain.error(), 10000);
        return false;
    }
    m_lastDirectory = QFileInfo(path).absolutePath();
    showCertificates(*chain, QFileInfo(path).fileName());
    return true;
}

void MainWindow::chooseCertificateFile()
{
    QFileDialog *dialog = new QFileDialog(
        this, tr("Open Certificate"), m_lastDirectory, tr("Certificates (*.pem *.crt *.cer *.der);;All files (*)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) { openCertificateFile(path); });
    dialog->open();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls()) {
        for (const QUrl &url : event->mimeData()->urls()) {
            if (url.isLocalFile()) {
                event->acceptProposedAction();
                return;
            }
        }
    }
}

void MainWindow::dropEvent(QDropEvent *event)
{
    QStringList paths;
    for (const QUrl &url : event->mimeData()->urls()) {
        if (url.isLocalFile())
            paths.append(url.toLocalFile());
    }
    if (paths.isEmpty())
        return;
    event->acceptProposedAction();
    for (const QString &path : std::as_const(paths)) {
        if (isCaptureFile(path))
            openCapture(path);
        else
            openCertificateFile(path);
    }
}

bool MainWindow::isCaptureFile(const QString &path)
{
    QFile file(path);
    if (file.open(QIODevice::ReadOnly)) {
        const QByteArray head = file.read(sizeof(CaptureFormat::Magic));
        if (head == QByteArrayView(CaptureFormat::Magic, sizeof(CaptureFormat::Magic)))
            return true;
        if (head.size() == qsizetype(sizeof(CaptureFormat::Magic)))
            return false;
    }
    // Too short (or unreadable) to tell by its content: the name says what the user meant, and the reader says why
    // it cannot be read.
    return path.endsWith(u".tlscap"_s, Qt::CaseInsensitive);
}

CaptureWindow *MainWindow::openCapture(const QString &path)
{
    m_lastDirectory = QFileInfo(path).absolutePath();
    auto *window = new CaptureWindow(this);
    window->setWindowFlag(Qt::Window);
    window->setAttribute(Qt::WA_DeleteOnClose);
    connect(window, &CaptureWindow::loaded, this,
        [this](bool, const QString &message) { statusBar()->showMessage(message, 15000); });
    // A session's chain opens in the certificate viewer, judged as that session judged it.
    connect(window, &CaptureWindow::viewsCreated, this, [this, window] {
        connect(window->sessionDetails(), &SessionDetails::certificateChainRequested, this,
            [this, window](const QList<QSslCertificate> &chain) {
                const quint64 id = window->sessionDetails()->sessionId();
                showCertificates(chain,
                    tr("Peer certificate chain of session #%1 in %2").arg(id).arg(QFileInfo(window->path()).fileName()),
                    window->timeline()->session(id));
            });
        connect(window->sessionDetails(), &SessionDetails::certificateRequested, this,
            [this, window](const QList<QSslCertificate> &chain, int index) {
                const quint64 id = window->sessionDetails()->sessionId();
                if (auto *viewer = qobject_cast<CertificateViewer *>(showCertificates(chain,
                        tr("Peer certificate chain of session #%1 in %2")
                            .arg(id)
                            .arg(QFileInfo(window->path()).fileName()),
                        window->timeline()->session(id))))
                    viewer->selectCertificate(index);
            });
    });
    statusBar()->showMessage(tr("Opening capture %1…").arg(QDir::toNativeSeparators(path)));
    window->open(path);
    window->show();
    window->raise();
    window->activateWindow();
    return window;
}

void MainWindow::chooseCaptureFile()
{
    QString directory = m_lastDirectory;
    if (directory.isEmpty())
        directory = CaptureWriter::defaultFolder();
    QFileDialog *dialog
        = new QFileDialog(this, tr("Open Capture"), directory, tr("TLS Lab captures (*.tlscap);;All files (*)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setFileMode(QFileDialog::ExistingFile);
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) { openCapture(path); });
    dialog->open();
}

void MainWindow::plaintextConnect(const QByteArray &payload)
{
    if (!m_lab.startPlaintextToListener(payload))
        return;
    m_timelineView->setFollowTail(true);
    statusBar()->showMessage(
        tr("Plaintext client sent %n byte(s) to the listener", nullptr, int(payload.size())), 5000);
}

void MainWindow::exportTimeline(const QString &path)
{
    if (!m_export->start(path, TimelineExport::formatForPath(path))) {
        statusBar()->showMessage(tr("An export is already running"), 5000);
        return;
    }
    updateActions();
}

bool MainWindow::isExporting() const
{
    return m_export->isRunning();
}

void MainWindow::chooseExportFile()
{
    QFileDialog *dialog
        = new QFileDialog(this, tr("Export Timeline"), m_lastDirectory, tr("JSON lines (*.jsonl);;CSV (*.csv)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(u"jsonl"_s);
    connect(dialog, &QFileDialog::filterSelected, dialog, [dialog](const QString &filter) {
        dialog->setDefaultSuffix(filter.contains(u"csv"_s) ? u"csv"_s : u"jsonl"_s);
    });
    connect(dialog, &QFileDialog::fileSelected, this, [this](const QString &path) {
        m_lastDirectory = QFileInfo(path).absolutePath();
        exportTimeline(path);
    });
    dialog->open();
}

bool MainWindow::exportSessionChain(quint64 sessionId, const QString &path)
{
    const Session s = m_lab.timeline().session(sessionId);
    if (s.peerChain.isEmpty()) {
        statusBar()->showMessage(tr("Session #%1 has no peer certificate").arg(sessionId), 5000);
        return false;
    }
    QByteArray pem;
    for (const QSslCertificate &c : s.peerChain)
        pem += c.toPem();
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(pem) != pem.size() || !file.commit()) {
        statusBar()->showMessage(tr("%1: cannot write (%2)").arg(path, file.errorString()), 10000);
        return false;
    }
    statusBar()->showMessage(tr("Wrote %n certificate(s) to %1", nullptr, int(s.peerChain.size())).arg(path), 5000);
    return true;
}

void MainWindow::chooseChainExportFile(quint64 sessionId)
{
    if (!sessionId)
        return;
    QFileDialog *dialog
        = new QFileDialog(this, tr("Export Peer Chain"), m_lastDirectory, tr("PEM certificates (*.pem)"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAcceptMode(QFileDialog::AcceptSave);
    dialog->setDefaultSuffix(u"pem"_s);
    dialog->selectFile(u"session-%1-chain.pem"_s.arg(sessionId));
    connect(dialog, &QFileDialog::fileSelected, this, [this, sessionId](const QString &path) {
        m_lastDirectory = QFileInfo(path).absolutePath();
        exportSessionChain(sessionId, path);
    });
    dialog->open();
}

void MainWindow::clearTimeline()
{
    m_sessionDetails->showSession(0);
    m_lab.timeline().clear();
    // The cleared events are kept aside until the next clear: undoing is cheap, and asking first would not be calm.
    const qsizetype cleared = m_lab.timeline().clearedEventCount();
    m_undoClearAction->setEnabled(m_lab.timeline().canRestoreCleared());
    statusBar()->showMessage(tr("Timeline cleared (%n event(s)); %1 brings them back", nullptr, int(cleared))
                                 .arg(m_undoClearAction->shortcut().toString(QKeySequence::NativeText)),
        10000);
}

void MainWindow::undoClearTimeline()
{
    if (!m_lab.timeline().canRestoreCleared())
        return;
    const qsizetype restored = m_lab.timeline().clearedEventCount();
    m_lab.timeline().restoreCleared();
    m_undoClearAction->setEnabled(false);
    statusBar()->showMessage(tr("Timeline restored: %n event(s) back", nullptr, int(restored)), 5000);
}

void MainWindow::selectSession(quint64 id)
{
    m_sessionModel->flush();
    const int row = m_sessionModel->rowForSession(id);
    if (row >= 0)
        m_sessionTable->selectRow(row);
}

void MainWindow::onSessionSelectionChanged()
{
    const QModelIndexList rows = m_sessionTable->selectionModel()->selectedRows();
    quint64 id = 0;
    if (!rows.isEmpty())
        id = rows.first().data(SessionTableModel::SessionIdRole).toULongLong();
    m_sessionDetails->showSession(id);
    QList<quint64> ids;
    if (id) {
        ids.append(id);
        if (const quint64 linked = m_lab.timeline().session(id).linkedSession)
            ids.append(linked);
    }
    m_timelineView->setSelectedSessions(ids);
    updateActions();
}

void MainWindow::selectSessionWhenListed()
{
    if (!m_sessionToSelect)
        return;
    const int row = m_sessionModel->rowForSession(m_sessionToSelect);
    if (row < 0)
        return;
    m_sessionToSelect = 0;
    m_sessionTable->selectRow(row);
    m_sessionTable->scrollTo(m_sessionModel->index(row, 0));
}

void MainWindow::showHelp()
{
    if (m_helpDialog) {
        m_helpDialog->raise();
        m_helpDialog->activateWindow();
        return;
    }
    // The keys are read from the actions themselves, so this list cannot drift from what the window does.
    QString keys;
    for (const QAction *action : findChildren<QAction *>()) {
        if (action->shortcut().isEmpty() || action->text().isEmpty())
            continue;
        keys += u"<tr><td><b>"_s + action->shortcut().toString(QKeySequence::NativeText).toHtmlEscaped()
            + u"</b></td><td>"_s + action->text().remove(u'&').toHtmlEscaped() + u"</td></tr>"_s;
    }
    const QString html
        = tr("<h3>TLS Lab</h3>"
             "<p>TLS Lab shows a TLS connection from both ends. Start the listener (F5), connect the "
             "client to it (Ctrl+K), and read every step in the timeline; pick a session to see its "
             "facts, its verdict when it failed, and its handshake as a ladder.</p>"
             "<p>The listener refuses plaintext clients with a reason; a client that does not trust the "
             "listener pauses and lets you decide. Certificates can be generated, opened and exported.</p>"
             "<h4>Keyboard</h4><table>%1</table>"
             "<p>Tab moves between controls; in tables the arrow keys move between rows. On the command "
             "line, <tt>tlslab --help</tt> and <tt>man tlslab</tt> say the rest.</p>")
              .arg(keys);
    auto *dialog = new QDialog(this);
    dialog->setObjectName(u"helpDialog"_s);
    dialog->setWindowTitle(tr("TLS Lab Help"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    auto *layout = new QVBoxLayout(dialog);
    auto *text = new QTextBrowser(dialog);
    text->setObjectName(u"helpText"_s);
    text->setAccessibleName(tr("Help text"));
    text->setHtml(html);
    layout->addWidget(text);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog->resize(560, 520);
    m_helpDialog = dialog;
    dialog->open();
}

void MainWindow::showAbout()
{
    QMessageBox *box = new QMessageBox(QMessageBox::Information, tr("About TLS Lab"),
        tr("<h3>TLS Lab %1</h3><p>Inspect TLS connections from both ends.</p>"
           "<p>Qt %2 (built with %3)<br/>TLS backend: %4<br/>%5</p>")
            .arg(QCoreApplication::applicationVersion(), QString::fromLatin1(qVersion()),
                QStringLiteral(QT_VERSION_STR), QSslSocket::activeBackend(),
                QSslSocket::sslLibraryVersionString().toHtmlEscaped()),
        QMessageBox::Close, this);
    box->setObjectName(u"aboutBox"_s);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setIconPixmap(QIcon(u":/icons/app.svg"_s).pixmap(64, 64));
    box->open();
}

void MainWindow::loadSettings()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(u"window/geometry"_s).toByteArray())) {
        // Room to read on a large screen, and never larger than a small one (1024x768 must fit).
        QSize size(1280, 800);
        if (const QScreen *s = screen())
            size = size.boundedTo(s->availableGeometry().size() - QSize(16, 48));
        resize(size.expandedTo(minimumSizeHint()));
    }
    restoreState(settings.value(u"window/state"_s).toByteArray());
    m_mainSplitter->restoreState(settings.value(u"window/mainSplitter"_s).toByteArray());
    m_topSplitter->restoreState(settings.value(u"window/topSplitter"_s).toByteArray());
    m_lastDirectory = settings.value(u"files/lastDirectory"_s).toString();
    m_lab.timeline().setEventBudget(settings.value(u"timeline/eventBudget"_s, DefaultEventBudget).toLongLong());
    if (const Theme theme = themeFromName(settings.value(u"view/theme"_s).toString()); theme != currentTheme()) {
        applyTheme(theme);
        if (auto *action = findChild<QAction *>(u"theme-"_s + themeName(theme)))
            action->setChecked(true);
    }
    m_listenerPanel->loadSettings(settings);
    m_clientPanel->loadSettings(settings);
}

void MainWindow::setEventBudget(qsizetype budget)
{
    budget = std::max<qsizetype>(0, budget);
    QSettings().setValue(u"timeline/eventBudget"_s, budget);
    m_lab.timeline().setEventBudget(budget);
}

void MainWindow::chooseEventBudget()
{
    auto *dialog = new QInputDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Events Kept in Memory"));
    dialog->setLabelText(tr("The most events the timeline keeps in memory (0: all of them).\n"
                            "Older events stay in the capture file."));
    dialog->setInputMode(QInputDialog::IntInput);
    dialog->setIntRange(0, std::numeric_limits<int>::max());
    dialog->setIntStep(100000);
    dialog->setIntValue(int(std::min<qsizetype>(m_lab.timeline().eventBudget(), std::numeric_limits<int>::max())));
    connect(dialog, &QInputDialog::intValueSelected, this, [this](int value) { setEventBudget(value); });
    dialog->open();
}

void MainWindow::updateDroppedNotice()
{
    const qsizetype dropped = m_lab.timeline().droppedEventCount();
    if (dropped == 0) {
        m_droppedNotice->hide();
        return;
    }
    if (const CaptureWriter *capture = m_lab.capture()) {
        m_droppedNotice->setText(tr("%L1 older events are only in the capture file %2 (File > Open Capture)")
                                     .arg(dropped)
                                     .arg(QDir::toNativeSeparators(capture->path())));
    } else {
        m_droppedNotice->setText(
            tr("%L1 older events were dropped from memory, and capturing is off: they are not kept anywhere")
                .arg(dropped));
    }
    m_droppedNotice->show();
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(u"window/geometry"_s, saveGeometry());
    settings.setValue(u"window/state"_s, saveState());
    settings.setValue(u"window/mainSplitter"_s, m_mainSplitter->saveState());
    settings.setValue(u"window/topSplitter"_s, m_topSplitter->saveState());
    settings.setValue(u"files/lastDirectory"_s, m_lastDirectory);
    m_listenerPanel->saveSettings(settings);
    m_clientPanel->saveSettings(settings);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    QMainWindow::closeEvent(event);
}

} // namespace TlsLab::Widgets
