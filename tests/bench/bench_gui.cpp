// GUI figures: window start-up, re-filtering a million events, and the longest event-loop stall while a burst of
// 100,000 events arrives. Prints "gui.<name>: <value>" lines; nothing here asserts on time.
#include "model/lab.h"
#include "model/timeline/timeline.h"
#include "model/tls/listener.h"
#include "widgets/eventfiltermodel.h"
#include "widgets/eventtablemodel.h"
#include "widgets/listenerpanel.h"
#include "widgets/mainwindow.h"
#include "widgets/timelineview.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QLineEdit>
#include <QProcess>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Widgets;

namespace {
void print(const char *name, double value, const char *unit = "")
{
    std::printf("gui.%s: %.1f%s\n", name, value, unit);
    std::fflush(stdout);
}

Event makeEvent(qint64 i)
{
    static const QString summaries[] = {
        u"TCP connection accepted from 127.0.0.1:51234"_s,
        u"ClientHello: SNI localhost, ALPN h2, http/1.1, versions TLSv1.3, TLSv1.2"_s,
        u"Encrypted: TLSv1.3, TLS_AES_256_GCM_SHA384"_s,
        u"Received 18 bytes: hello from client\\n"_s,
        u"Refused: the client sent an HTTP request in plaintext to a TLS port"_s,
        u"Connection closed by the client"_s,
    };
    Event e;
    e.timeUs = 1'700'000'000'000'000 + i;
    e.session = quint64(i / 6 + 1);
    e.side = (i & 1) ? Side::Client : Side::Server;
    e.kind = EventKind(i % int(EventKind::KindCount));
    e.severity = Severity(i % 5);
    e.summary = summaries[i % 6];
    return e;
}

// The longest gap between two ticks of a 1 ms timer while `work` runs and for `settleMs` after it.
template<typename Work>
double longestStall(Work work, int settleMs)
{
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
    clock.start();
    tick.start();
    work();
    QElapsedTimer settle;
    settle.start();
    while (settle.elapsed() < settleMs)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    tick.stop();
    return double(longest) / 1e6;
}

double median(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return v.at(v.size() / 2);
}
} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    QTemporaryDir dataDir;
    qputenv("TLSLAB_DATA_DIR", dataDir.path().toLocal8Bit());

    // 1. Start-up: constructing the window until it is exposed.
    QElapsedTimer startup;
    startup.start();
    Lab lab;
    MainWindow window(lab);
    // The figures are for a million events kept in the view: the window's default event budget (1,000,000) would
    // drop the oldest of the flood's and the million's events.
    lab.timeline().setEventBudget(0);
    window.show();
    if (!QTest::qWaitForWindowExposed(&window))
        return 1;
    print("startup_to_shown_ms", double(startup.nsecsElapsed()) / 1e6);

    // The longest stall while the listener absorbs a flood of handshakes from `openssl s_time` (3 s).
    auto flood = [&](const char *label) {
        window.listenerPanel()->findChild<QSpinBox *>(u"portSpin"_s)->setValue(0);
        if (window.listenerPanel()->startListener()) {
            const quint64 before = lab.listener().counters().encrypted;
            QProcess stime;
            stime.setProcessChannelMode(QProcess::MergedChannels);
            double stall = 0;
            // Started outside the measurement: forking a process of this size alone blocks for tens of ms.
            stime.start(u"openssl"_s,
                {u"s_time"_s, u"-connect"_s, u"127.0.0.1:%1"_s.arg(lab.listener().port()), u"-new"_s, u"-time"_s,
                    u"3"_s});
            stime.waitForStarted();
            stall = longestStall(
                [&] {
                    QElapsedTimer t;
                    t.start();
                    while (stime.state() != QProcess::NotRunning && t.elapsed() < 15000)
                        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
                },
                300);
            const QString out = QString::fromUtf8(stime.readAll());
            QString rate;
            for (const QString &line : out.split(u'\n'))
                if (line.contains(u"connections in"_s) && line.contains(u"real seconds"_s))
                    rate = line.trimmed();
            print(qPrintable(u"handshake_flood_%1_longest_stall_ms"_s.arg(QLatin1StringView(label))), stall);
            std::printf("gui.handshake_flood_%s_encrypted: %llu (s_time: %s)\n", label,
                static_cast<unsigned long long>(lab.listener().counters().encrypted - before), qPrintable(rate));
            window.listenerPanel()->stopListener();
        }
    };
    flood("empty");

    Timeline *timeline = &lab.timeline();
    TimelineView *view = window.timelineView();
    EventFilterModel *filter = view->filterModel();

    // 2. A million events, flushed into the view.
    QElapsedTimer load;
    load.start();
    for (qint64 i = 0; i < 1'000'000; ++i)
        timeline->append(makeEvent(i));
    print("append_1M_ms", double(load.nsecsElapsed()) / 1e6);
    QElapsedTimer flush;
    flush.start();
    view->eventModel()->flush();
    QCoreApplication::processEvents();
    print("flush_1M_into_view_ms", double(flush.nsecsElapsed()) / 1e6);
    print("timeline_memory_1M_MB", double(timeline->eventMemoryBytes()) / 1e6);
    // The search index is built by a worker thread in the background; the window stays usable meanwhile.
    QElapsedTimer indexing;
    indexing.start();
    while (filter->indexedEvents() < timeline->eventCount() && indexing.elapsed() < 60000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
    print("search_index_1M_background_ms", double(indexing.nsecsElapsed()) / 1e6);

    // 3. Re-applying filters to a million events (median of 5), including the view's reaction.
    auto timeFilter = [&](const EventFilter &f) {
        QList<double> runs;
        for (int r = 0; r < 5; ++r) {
            filter->setFilter(EventFilter());
            QCoreApplication::processEvents();
            QElapsedTimer t;
            t.start();
            filter->setFilter(f);
            QCoreApplication::processEvents();
            runs.append(double(t.nsecsElapsed()) / 1e6);
        }
        return median(runs);
    };
    EventFilter text;
    text.text = u"http request"_s;
    print("filter_1M_ms", timeFilter(text));
    std::printf("gui.filter_1M_rows: %d\n", filter->rowCount());
    EventFilter severity;
    severity.minimumSeverity = Severity::Warning;
    print("filter_severity_1M_ms", timeFilter(severity));
    EventFilter side;
    side.sideMask = 0b01;
    side.kindMask = (quint64(1) << int(EventKind::Encrypted)) | (quint64(1) << int(EventKind::PlaintextRefused));
    print("filter_side_kind_1M_ms", timeFilter(side));
    filter->setFilter(EventFilter());
    QCoreApplication::processEvents();

    // The search box as a user types it (debounce excluded: from the debounce timer's firing to the view updated).
    {
        QList<double> runs;
        for (int r = 0; r < 3; ++r) {
            view->searchEdit()->clear();
            QTest::qWait(300);
            view->searchEdit()->setText(u"refused"_s);
            QElapsedTimer t;
            t.start();
            while (filter->rowCount() >= 1'000'000 && t.elapsed() < 5000)
                QCoreApplication::processEvents(QEventLoop::AllEvents, 1);
            runs.append(double(t.nsecsElapsed()) / 1e6);
        }
        print("search_box_1M_ms_incl_150ms_debounce", median(runs));
        view->searchEdit()->clear();
        QTest::qWait(300);
    }

    // 4. The longest stall of the GUI event loop while 100,000 events are appended by a worker thread (as network
    //    code in another thread would), with the view following the tail; then the same with a search active.
    auto burst = [&] {
        QThread *worker = QThread::create([timeline] {
            const qint64 base = timeline->eventCount();
            for (qint64 i = 0; i < 100'000; ++i)
                timeline->append(makeEvent(base + i));
        });
        worker->start();
        while (!worker->isFinished())
            QCoreApplication::processEvents(QEventLoop::AllEvents, 5);
        delete worker;
    };
    view->setFollowTail(true);
    print("burst_100k_longest_stall_ms", longestStall(burst, 500));
    filter->setText(u"http request"_s);
    QCoreApplication::processEvents();
    print("burst_100k_filtered_longest_stall_ms", longestStall(burst, 500));
    filter->setText(QString());

    // The same burst appended on the GUI thread in slices of 1,000 per event-loop turn (as the listener does).
    print("burst_100k_gui_thread_slices_longest_stall_ms",
        longestStall(
            [&] {
                for (int slice = 0; slice < 100; ++slice) {
                    const qint64 base = timeline->eventCount();
                    for (qint64 i = 0; i < 1000; ++i)
                        timeline->append(makeEvent(base + i));
                    QCoreApplication::processEvents();
                }
            },
            500));
    std::printf("gui.events_total: %lld\n", static_cast<long long>(timeline->eventCount()));

    flood("1M");
    return 0;
}
