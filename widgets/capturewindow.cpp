#include "widgets/capturewindow.h"

#include "model/capture/capturereader.h"
#include "model/timeline/timeline.h"
#include "widgets/sessiondetails.h"
#include "widgets/sessiontablemodel.h"
#include "widgets/sessiontableview.h"
#include "widgets/timelineview.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QProgressBar>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QtConcurrent/QtConcurrentRun>

using namespace Qt::StringLiterals;

namespace TlsLab::Widgets {

using namespace TlsLab::Model;

namespace {

QString counted(qsizetype n, const QString &one, const QString &many)
{
    return QLocale().toString(n) + u' ' + (n == 1 ? one : many);
}

// Runs on a pool thread: reads the file straight into the timeline (thread-safe), which announces it to the views in
// the GUI thread. Each event goes from the file's bytes into the timeline's store as it is (UTF-8 summary, CBOR
// details), never becoming an Event value in between: a million events are read and stored in well under a second.
template<typename SessionsRead>
CaptureLoad readInto(
    Timeline *timeline, const QString &path, const std::atomic<bool> *cancel, const SessionsRead &sessionsRead)
{
    CaptureLoad load;
    QElapsedTimer clock;
    clock.start();
    CaptureReader::Handlers handlers;
    handlers.event = [&](const EventHeader &header, QByteArrayView summary, QByteArrayView details) {
        timeline->appendEncoded(header, summary, details);
        ++load.events;
        // Now and then: the views are told of the new rows in slices, and the window may have been closed.
        if ((load.events & 0xffff) != 0)
            return true;
        timeline->announceSoon();
        return !cancel->load(std::memory_order_relaxed);
    };
    handlers.session = [&](const Session &session) {
        timeline->updateSession(session);
        return !cancel->load(std::memory_order_relaxed);
    };
    Result<Capture> read = CaptureReader::readFile(path, handlers);
    timeline->announceSoon();
    load.readMs = clock.elapsed();
    load.sessions = timeline->sessionCount();
    sessionsRead();
    if (!read) {
        load.message = read.error();
        return load;
    }
    const Capture &capture = read.value();
    load.ok = true;
    if (capture.cancelled) {
        load.cancelled = true;
        return load;
    }
    const QString name = QFileInfo(path).fileName();
    load.damaged = capture.damaged;
    if (capture.damaged) {
        // The reader's sentence says where (byte offset, record), why, and how many events were read before it.
        load.message = capture.damage;
    } else {
        load.message = QObject::tr("Read %1: %2, %3")
                           .arg(name, counted(load.events, QObject::tr("event"), QObject::tr("events")),
                               counted(load.sessions, QObject::tr("session"), QObject::tr("sessions")));
    }
    if (!capture.stoppedReason.isEmpty())
        load.message += u" ("_s + capture.stoppedReason + u')';
    if (capture.unknownRecords > 0)
        load.message += QObject::tr(" (%1 of a newer version skipped)")
                            .arg(counted(capture.unknownRecords, QObject::tr("record"), QObject::tr("records")));
    return load;
}

} // namespace

CaptureWindow::CaptureWindow(QWidget *parent)
    : QMainWindow(parent)
    , m_timeline(std::make_unique<Timeline>())
{
    setObjectName(u"captureWindow"_s);
    setWindowIcon(QIcon(u":/icons/app.svg"_s));
    setWindowTitle(tr("Capture — TLS Lab"));

    // Until the sessions are read, a placeholder: the views are made once they are in (createViews()).
    auto *placeholder = new QLabel(tr("Reading the capture…"), this);
    placeholder->setAlignment(Qt::AlignCenter);
    setCentralWidget(placeholder);

    m_status = new QLabel(this);
    m_status->setObjectName(u"captureStatus"_s);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress = new QProgressBar(this);
    m_progress->setRange(0, 0); // the reader says nothing until it is done: busy
    m_progress->setMaximumWidth(160);
    m_progress->hide();
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_progress);

    connect(&m_watcher, &QFutureWatcher<CaptureLoad>::finished, this,
        [this] { finishLoading(m_watcher.isCanceled() ? CaptureLoad {} : m_watcher.result()); });
    resize(1100, 750);
}

void CaptureWindow::createViews()
{
    if (m_sessionModel)
        return;
    // Made once the reader has put every session into the timeline: views made earlier would each receive one queued
    // sessionUpdated per session (300,000 posted events for 100,000 sessions, all handled in one event-loop turn: a
    // stall of seconds). Made now, they read the sessions once; the events still stream in as they are appended.
    m_sessionModel = new SessionTableModel(m_timeline.get(), this);
    m_sessionTable = new SessionTableView(m_sessionModel, this);
    m_sessionTable->setObjectName(u"captureSessionTable"_s);
    m_sessionTable->setAccessibleName(tr("Sessions of the capture"));
    m_sessionDetails = new SessionDetails(m_timeline.get(), this);
    m_timelineView = new TimelineView(m_timeline.get(), this);
    // A file does not grow: start at its first event.
    m_timelineView->setFollowTail(false);

    auto *top = new QSplitter(Qt::Horizontal, this);
    top->addWidget(m_sessionTable);
    top->addWidget(m_sessionDetails);
    top->setStretchFactor(0, 3);
    top->setStretchFactor(1, 2);
    auto *main = new QSplitter(Qt::Vertical, this);
    main->addWidget(top);
    main->addWidget(m_timelineView);
    main->setStretchFactor(0, 2);
    main->setStretchFactor(1, 3);
    delete takeCentralWidget(); // the placeholder
    setCentralWidget(main);

    connect(m_sessionTable->selectionModel(), &QItemSelectionModel::selectionChanged, this,
        &CaptureWindow::onSessionSelectionChanged);
    connect(m_sessionDetails, &SessionDetails::eventSelected, m_timelineView, &TimelineView::selectEvent);
    Q_EMIT viewsCreated();
}

CaptureWindow::~CaptureWindow()
{
    if (m_cancel)
        m_cancel->store(true);
    m_watcher.waitForFinished();
    // The views read the timeline: they go before it does (children would otherwise outlive the member).
    delete takeCentralWidget();
    delete m_sessionModel;
}

void CaptureWindow::open(const QString &path)
{
    if (m_cancel)
        return; // once per window: its timeline holds one file
    m_path = path;
    setWindowTitle(tr("%1 — TLS Lab capture").arg(QFileInfo(path).fileName()));
    m_status->setText(tr("Reading %1…").arg(QDir::toNativeSeparators(path)));
    m_progress->show();
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    m_loading = true;
    m_watcher.setFuture(QtConcurrent::run([this, timeline = m_timeline.get(), path, cancel = m_cancel] {
        // The window makes its views once the sessions are in; it waits for this thread before it goes away, so
        // it is still there to post to.
        return readInto(timeline, path, cancel.get(),
            [this] { QMetaObject::invokeMethod(this, &CaptureWindow::createViews, Qt::QueuedConnection); });
    }));
}

bool CaptureWindow::isLoading() const
{
    return m_loading;
}

void CaptureWindow::finishLoading(const CaptureLoad &result)
{
    m_load = result;
    m_loading = false;
    createViews(); // when nothing could be read: empty views under the reason
    m_progress->hide();
    m_status->setText(result.message);
    // Damage and failure are not news to skim past: they stay in the status bar, marked.
    if (!result.ok || result.damaged)
        m_status->setStyleSheet(u"QLabel { color: white; background: #b3261e; padding: 0 4px; }"_s);
    Q_EMIT loaded(result.ok, result.message);
}

void CaptureWindow::onSessionSelectionChanged()
{
    const QModelIndexList rows = m_sessionTable->selectionModel()->selectedRows();
    const quint64 id = rows.isEmpty() ? 0 : rows.first().data(SessionTableModel::SessionIdRole).toULongLong();
    m_sessionDetails->showSession(id);
    QList<quint64> ids;
    if (id) {
        ids.append(id);
        if (const quint64 linked = m_timeline->session(id).linkedSession)
            ids.append(linked);
    }
    m_timelineView->setSelectedSessions(ids);
}

} // namespace TlsLab::Widgets
