// Appends 1,000,000 realistic events to the timeline and prints the time and memory per event.
// A benchmark, not a test: it asserts nothing about speed.
#include "model/timeline/timeline.h"
#include "model/tls/socketfacts.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>

#include <cstdio>
#include <unistd.h>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;

namespace {
qint64 residentBytes()
{
    QFile statm(u"/proc/self/statm"_s);
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.value(1).toLongLong() * sysconf(_SC_PAGESIZE);
}
} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    constexpr int Count = 1'000'000;
    const QByteArray payloads[]
        = {"Hello from TLS Lab\n", "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", QByteArray(512, 'x')};

    // The events the listener records for a connection, built the way it builds them: a summary and details.
    auto build = [&payloads](int i) {
        const quint64 session = quint64(i / 10 + 1);
        switch (i % 10) {
        case 0:
            return Event {nowUs(), session, Side::Server, EventKind::TcpAccepted, Severity::Info,
                u"TCP connection from 127.0.0.1:"_s + QString::number(40000 + i % 20000),
                EventDetails {{u"peer", QString(u"127.0.0.1:"_s + QString::number(40000 + i % 20000))}}};
        case 1:
            return Event {nowUs(), session, Side::Server, EventKind::ClientHello, Severity::Info,
                u"ClientHello: SNI localhost, offers TLS 1.3, TLS 1.2"_s,
                EventDetails {{u"sni", u"localhost"_s}, {u"cipher_suites", 31}}};
        case 2:
            return Event {nowUs(), session, Side::Server, EventKind::Encrypted, Severity::Success,
                u"Encrypted: TLSv1.3, TLS_AES_256_GCM_SHA384"_s,
                EventDetails {{u"protocol", u"TLSv1.3"_s}, {u"cipher", u"TLS_AES_256_GCM_SHA384"_s}}};
        case 9:
            return Event {
                nowUs(), session, Side::Server, EventKind::Closed, Severity::Info, u"Connection closed"_s, {}};
        default: {
            const QByteArray &data = payloads[i % 3];
            const bool sent = i % 2;
            return Event {nowUs(), session, Side::Server, sent ? EventKind::DataSent : EventKind::DataReceived,
                Severity::Info, SocketFacts::dataSummary(sent, data), SocketFacts::dataDetails(data)};
        }
        }
    };

    // 1. The timeline's own cost: appending a million events (a rotating set of 1,000 prebuilt ones).
    std::vector<Event> prebuilt;
    for (int i = 0; i < 1000; ++i)
        prebuilt.push_back(build(i));
    Timeline timeline;
    const qint64 rssBefore = residentBytes();
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i < Count; ++i) {
        Event &e = prebuilt[size_t(i % 1000)];
        e.session = quint64(i / 10 + 1);
        timeline.append(e);
    }
    const qint64 elapsedNs = timer.nsecsElapsed();
    const qint64 rssAfter = residentBytes();

    // 2. End to end: building each event (summary, details, timestamp) and appending it.
    Timeline second;
    timer.restart();
    for (int i = 0; i < Count; ++i)
        second.append(build(i));
    const qint64 endToEndNs = timer.nsecsElapsed();

    std::printf("timeline.events: %d\n", int(timeline.eventCount()));
    std::printf("timeline.append_1M_ms: %.0f\n", elapsedNs / 1e6);
    std::printf("timeline.append_ns_per_event: %.0f\n", double(elapsedNs) / Count);
    std::printf("timeline.build_and_append_1M_ms: %.0f\n", endToEndNs / 1e6);
    std::printf("timeline.stored_bytes_per_event: %.1f\n", double(timeline.eventMemoryBytes()) / Count);
    std::printf("timeline.rss_bytes_per_event: %.1f\n", double(rssAfter - rssBefore) / Count);
    // Reading back, as a view does for visible rows.
    timer.restart();
    qint64 chars = 0;
    for (int i = 0; i < Count; i += 1000)
        chars += timeline.event(i).summary.size();
    std::printf("timeline.read_event_us: %.2f\n", timer.nsecsElapsed() / 1e3 / (Count / 1000));

    // 3. Under an event budget (what the window sets): 3x the budget appended, memory after the first budget's worth
    // and at the end. Flat means the dropped events' records and arena chunks were given back.
    constexpr int Budget = 200'000;
    Timeline budgeted;
    budgeted.setEventBudget(Budget);
    const qint64 rssStart = residentBytes();
    qint64 rssOneBudget = 0;
    quint64 storedOneBudget = 0;
    timer.restart();
    for (int i = 0; i < 3 * Budget; ++i) {
        Event &e = prebuilt[size_t(i % 1000)];
        e.session = quint64(i / 10 + 1);
        budgeted.append(e);
        if (i + 1 == Budget) {
            rssOneBudget = residentBytes();
            storedOneBudget = budgeted.eventMemoryBytes();
        }
    }
    const qint64 budgetedNs = timer.nsecsElapsed();
    const qint64 rssThreeBudgets = residentBytes();
    std::printf("timeline.budget: %d\n", Budget);
    std::printf("timeline.budget_kept_events: %lld\n", qlonglong(budgeted.eventCount() - budgeted.firstIndex()));
    std::printf("timeline.budget_dropped_events: %lld\n", qlonglong(budgeted.droppedEventCount()));
    std::printf("timeline.budget_append_ns_per_event: %.0f\n", double(budgetedNs) / (3 * Budget));
    std::printf(
        "timeline.budget_stored_mb_at_1x_3x: %.1f %.1f\n", storedOneBudget / 1e6, budgeted.eventMemoryBytes() / 1e6);
    std::printf("timeline.budget_rss_growth_mb_at_1x_3x: %.1f %.1f\n", (rssOneBudget - rssStart) / 1e6,
        (rssThreeBudgets - rssStart) / 1e6);
    return chars > 0 ? 0 : 1;
}
