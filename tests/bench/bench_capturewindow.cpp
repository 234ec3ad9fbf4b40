// Opening a 1,000,000-event capture in the window (File > Open Capture's path: MainWindow::openCapture): the time
// until every event is a row of the capture window, and the longest stall of the GUI thread's event loop meanwhile
// (the window must stay usable). Prints "capturewindow.<name>: <value>" lines; asserts nothing about time (it fails
// only if the window does not show every event).
#include "model/capture/capturewriter.h"
#include "model/lab.h"
#include "model/timeline/timeline.h"
#include "model/tls/socketfacts.h"
#include "widgets/capturewindow.h"
#include "widgets/eventtablemodel.h"
#include "widgets/mainwindow.h"
#include "widgets/sessiontablemodel.h"
#include "widgets/timelineview.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Widgets;

namespace {
void print(const char *name, double value, const char *unit = "")
{
    std::printf("capturewindow.%s: %.1f%s\n", name, value, unit);
    std::fflush(stdout);
}

// The same mix as bench_capture: a session of ten events (accepted, ClientHello, eight data events).
bool writeCapture(const QString &path, int count)
{
    Timeline timeline;
    CaptureOptions options;
    options.path = path;
    options.maxFileBytes = qint64(4) * 1024 * 1024 * 1024;
    auto writer = CaptureWriter::start(&timeline, options);
    if (!writer) {
        std::fprintf(stderr, "%s\n", qPrintable(writer.error()));
        return false;
    }
    const QByteArray payload = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    for (int i = 0; i < count; ++i) {
        const quint64 session = quint64(i / 10 + 1);
        switch (i % 10) {
        case 0: {
            Session s;
            s.id = session;
            s.state = SessionState::Closed;
            s.peerAddress = u"127.0.0.1"_s;
            s.peerPort = quint16(40000 + i % 20000);
            s.protocol = u"TLSv1.3"_s;
            timeline.updateSession(s);
            timeline.record(session, Side::Server, EventKind::TcpAccepted, Severity::Info,
                u"TCP connection from 127.0.0.1:"_s + QString::number(40000 + i % 20000));
            break;
        }
        case 1:
            timeline.record(session, Side::Server, EventKind::ClientHello, Severity::Info,
                u"ClientHello: SNI localhost, offers TLS 1.3, TLS 1.2"_s,
                {{u"sni", u"localhost"_s}, {u"cipher_suites", 31}});
            break;
        default:
            timeline.record(session, Side::Server, EventKind::DataReceived, Severity::Info,
                SocketFacts::dataSummary(false, payload), SocketFacts::dataDetails(payload));
        }
        if (i % 10000 == 0)
            QCoreApplication::processEvents();
    }
    writer.value()->flush();
    return true;
}
} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    QTemporaryDir dir;
    if (!dir.isValid())
        return 1;
    qputenv("TLSLAB_DATA_DIR", dir.filePath(u"data"_s).toLocal8Bit());
    constexpr int Count = 1'000'000;
    const QString path = dir.filePath(u"bench.tlscap"_s);
    if (!writeCapture(path, Count))
        return 1;

    Lab lab;
    MainWindow window(lab);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window))
        return 1;

    // A 1 ms timer: the longest gap between its ticks is the longest time the window could not answer the user.
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    tick.setInterval(1);
    QElapsedTimer clock;
    qint64 last = 0;
    qint64 longest = 0;
    QObject::connect(&tick, &QTimer::timeout, &tick, [&] {
        const qint64 now = clock.nsecsElapsed();
        longest = std::max(longest, now - last);
        last = now;
    });

    // Waited for in an event loop, not a polling one: a polling GUI thread would take CPU from the reading thread.
    QEventLoop loop;
    double viewsMs = -1;
    double firstRowsMs = -1;
    double allRowsMs = -1;
    double loadedMs = -1;
    EventTableModel *events = nullptr;
    auto done = [&] {
        if (loadedMs >= 0 && events && events->rowCount() >= Count)
            loop.quit();
    };
    QTimer::singleShot(120000, &loop, &QEventLoop::quit);
    clock.start();
    tick.start();
    CaptureWindow *capture = window.openCapture(path);
    const double openCallMs = double(clock.nsecsElapsed()) / 1e6;
    QObject::connect(capture, &CaptureWindow::loaded, capture, [&] {
        loadedMs = double(clock.nsecsElapsed()) / 1e6;
        done();
    });
    QObject::connect(capture, &CaptureWindow::viewsCreated, capture, [&] {
        viewsMs = double(clock.nsecsElapsed()) / 1e6;
        events = capture->timelineView()->eventModel();
        // Events read before the views were made are rows from the start.
        if (events->rowCount() > 0)
            firstRowsMs = viewsMs;
        if (events->rowCount() >= Count)
            allRowsMs = viewsMs;
        QObject::connect(events, &QAbstractItemModel::rowsInserted, capture, [&] {
            if (firstRowsMs < 0)
                firstRowsMs = double(clock.nsecsElapsed()) / 1e6;
            if (events->rowCount() >= Count && allRowsMs < 0)
                allRowsMs = double(clock.nsecsElapsed()) / 1e6;
            done();
        });
    });
    loop.exec();
    tick.stop();
    if (!events)
        return 1;
    capture->sessionModel()->flush();

    if (events->rowCount() != Count || !capture->result().ok || capture->result().damaged) {
        std::fprintf(stderr, "the window shows %d of %d events: %s\n", events->rowCount(), Count,
            qPrintable(capture->message()));
        return 1;
    }
    print("open_call_ms", openCallMs);
    print("sessions_shown_ms", viewsMs);
    print("first_rows_shown_ms", firstRowsMs);
    print("open_1M_all_rows_shown_ms", allRowsMs);
    print("open_1M_reading_done_ms", loadedMs);
    print("open_1M_of_which_capture_reader_ms", double(capture->result().readMs));
    print("open_1M_longest_gui_stall_ms", double(longest) / 1e6);
    std::printf("capturewindow.sessions_shown: %d\n", capture->sessionModel()->rowCount());
    std::printf("capturewindow.message: %s\n", qPrintable(capture->message()));
    return 0;
}
