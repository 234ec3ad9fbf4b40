// The timeline: events stored compactly come back exactly as appended, from any thread; sessions link the two ends
// of one connection; filters select what a view asks for.
#include "model/timeline/timeline.h"

#include <QCborArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;

class TestTimeline : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip();
    void detailsEncoding();
    void largeEventsAndManyChunks();
    void concurrentAppends();
    void filters();
    void sessionLinking();
    void jsonLine();
    void fastJsonLineEqualsJsonObject();
    void clear();
    void clearCanBeUndone();
    void undoKeepsTheBudget();
    void appendsAreAnnouncedAsRanges();
    void appendsFromAnotherThreadAreAnnouncedInTheTimelinesThread();
    void budgetKeepsTheNewestEvents();
    void budgetAppliesToEncodedAppends();
    void dropsAreAnnouncedBeforeAppends();
    void smallerBudgetTrimsAtOnceAndClearStartsOver();
    void concurrentAppendsWithBudget();
};

void TestTimeline::roundTrip()
{
    Timeline timeline;
    QSignalSpy appended(&timeline, &Timeline::eventAppended);
    const Event in {1234567890123456, 42, Side::Client, EventKind::Encrypted, Severity::Success,
        u"Encrypted: TLSv1.3, TLS_AES_128_GCM_SHA256 — ünïcödé ✓"_s,
        EventDetails {{u"protocol", u"TLSv1.3"_s}, {u"bytes", 17}, {u"untrusted", true}}};
    timeline.append(in);
    QCOMPARE(appended.size(), 1);
    QCOMPARE(timeline.eventCount(), 1);
    const Event out = timeline.event(0);
    QCOMPARE(out.timeUs, in.timeUs);
    QCOMPARE(out.session, 42u);
    QCOMPARE(out.side, Side::Client);
    QCOMPARE(out.kind, EventKind::Encrypted);
    QCOMPARE(out.severity, Severity::Success);
    QCOMPARE(out.summary, in.summary);
    QCOMPARE(out.details.value(u"protocol").toString(), u"TLSv1.3"_s);
    QCOMPARE(out.details.value(u"bytes").toInteger(), 17);
    QCOMPARE(out.details.value(u"untrusted").toBool(), true);
    QCOMPARE(timeline.summary(0), in.summary);
    QCOMPARE(timeline.header(0).kind, EventKind::Encrypted);
    QCOMPARE(timeline.event(5).summary, QString()); // out of range is empty, not a crash
}

void TestTimeline::detailsEncoding()
{
    const QStringList list {u"h2"_s, u"http/1.1"_s};
    QCborArray nested;
    nested.append(QCborMap {{u"subject"_s, u"CN=x"_s}});
    EventDetails d {{u"text", u"plain"_s}, {u"utf8", u"naïve — 東京"_s}, {u"negative", qint64(-5)},
        {u"big", qint64(1) << 40}, {u"ratio", 0.5}, {u"list", list}, {u"nested", nested}};
    d.insert(u"later", false);
    const QCborMap map = d.toMap();
    QCOMPARE(map.size(), 8);
    QCOMPARE(map.value(u"utf8"_s).toString(), u"naïve — 東京"_s);
    QCOMPARE(map.value(u"negative"_s).toInteger(), -5);
    QCOMPARE(map.value(u"big"_s).toInteger(), qint64(1) << 40);
    QCOMPARE(map.value(u"ratio"_s).toDouble(), 0.5);
    QCOMPARE(map.value(u"list"_s).toArray().toVariantList().size(), 2);
    QCOMPARE(map.value(u"nested"_s).toArray().at(0).toMap().value(u"subject"_s).toString(), u"CN=x"_s);
    QCOMPARE(map.value(u"later"_s).toBool(true), false);
    // The encoding is standard CBOR.
    QCOMPARE(QCborValue::fromCbor(d.toCbor()).toMap(), map);
    // And the QCborMap form converts.
    QCOMPARE(EventDetails(map).toMap(), map);
    QVERIFY(EventDetails().isEmpty());
    QCOMPARE(EventDetails().toMap().size(), 0);
    // value() finds each field without decoding the others, nested ones and ones after them included.
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        QCOMPARE(d.value(it.key().toString()), it.value());
    QVERIFY(d.value(u"absent").isUndefined());
    QVERIFY(!d.contains(u"tex"));
    QVERIFY(EventDetails().value(u"text").isUndefined());
}

void TestTimeline::largeEventsAndManyChunks()
{
    Timeline timeline;
    const QString huge(5 * 1024 * 1024, u'x'); // larger than one arena chunk
    for (int i = 0; i < 30000; ++i) {
        const QString summary = i == 12345 ? huge : u"event %1 "_s.arg(i) + QString(i % 300, u'y');
        timeline.record(
            quint64(i), Side::Server, EventKind::DataReceived, Severity::Info, summary, EventDetails {{u"i", i}});
    }
    QCOMPARE(timeline.eventCount(), 30000);
    for (int i : {0, 1, 12344, 12345, 12346, 29999}) {
        const Event e = timeline.event(i);
        QCOMPARE(e.session, quint64(i));
        QCOMPARE(e.details.value(u"i").toInteger(), i);
        if (i == 12345)
            QCOMPARE(e.summary.size(), huge.size());
        else
            QCOMPARE(e.summary, u"event %1 "_s.arg(i) + QString(i % 300, u'y'));
    }
}

void TestTimeline::concurrentAppends()
{
    Timeline timeline;
    constexpr int Threads = 4;
    constexpr int PerThread = 20000;
    QList<QThread *> threads;
    for (int t = 0; t < Threads; ++t) {
        threads.append(QThread::create([&timeline, t] {
            for (int i = 0; i < PerThread; ++i)
                timeline.record(quint64(t + 1), Side::Client, EventKind::DataSent, Severity::Info,
                    u"thread %1 event %2"_s.arg(t).arg(i), EventDetails {{u"i", i}});
        }));
        threads.last()->start();
    }
    // Reading while they write must be safe too.
    qsizetype seen = 0;
    while (std::any_of(threads.begin(), threads.end(), [](QThread *t) { return t->isRunning(); })) {
        const qsizetype n = timeline.eventCount();
        if (n > 0)
            QVERIFY(timeline.event(n - 1).summary.startsWith(u"thread "_s));
        seen = std::max(seen, n);
    }
    for (QThread *t : threads) {
        t->wait();
        delete t;
    }
    QCOMPARE(timeline.eventCount(), Threads * PerThread);
    // Each thread's events are all there, in that thread's order.
    QList<int> next(Threads, 0);
    for (qsizetype i = 0; i < timeline.eventCount(); ++i) {
        const Event e = timeline.event(i);
        const int t = int(e.session) - 1;
        QCOMPARE(e.details.value(u"i").toInteger(), next[t]);
        ++next[t];
    }
}

void TestTimeline::filters()
{
    Timeline timeline;
    timeline.record(1, Side::Server, EventKind::TcpAccepted, Severity::Info, u"TCP connection from a"_s);
    timeline.record(1, Side::Server, EventKind::PlaintextRefused, Severity::Warning, u"Refused: plaintext"_s);
    timeline.record(2, Side::Client, EventKind::Encrypted, Severity::Success, u"Encrypted: TLSv1.3"_s);
    timeline.record(2, Side::Client, EventKind::DataReceived, Severity::Info, u"Received 5 bytes"_s);
    timeline.record(3, Side::Client, EventKind::HandshakeFailed, Severity::Error, u"Handshake failed: REFUSED"_s);

    EventFilter all;
    QVERIFY(all.acceptsAll());
    QCOMPARE(timeline.matching(all, 0, 100), (QList<qsizetype> {0, 1, 2, 3, 4}));

    EventFilter f;
    f.sideMask = 0b10; // client only
    QCOMPARE(timeline.matching(f, 0, 5), (QList<qsizetype> {2, 3, 4}));
    f = {};
    f.minimumSeverity = Severity::Warning;
    QCOMPARE(timeline.matching(f, 0, 5), (QList<qsizetype> {1, 4}));
    f = {};
    f.text = u"refused"_s; // case-insensitive
    QCOMPARE(timeline.matching(f, 0, 5), (QList<qsizetype> {1, 4}));
    f = {};
    f.sessions = {2};
    QCOMPARE(timeline.matching(f, 0, 5), (QList<qsizetype> {2, 3}));
    f = {};
    f.kindMask = quint64(1) << quint64(EventKind::Encrypted);
    QCOMPARE(timeline.matching(f, 0, 5), (QList<qsizetype> {2}));
    QVERIFY(timeline.matches(2, f));
    QVERIFY(!timeline.matches(3, f));
    QCOMPARE(timeline.matching(f, 3, 5), QList<qsizetype> {});
}

void TestTimeline::sessionLinking()
{
    Timeline timeline;
    QSignalSpy updated(&timeline, &Timeline::sessionUpdated);
    Session server;
    server.id = Timeline::newSessionId();
    server.side = Side::Server;
    server.localAddress = u"127.0.0.1"_s;
    server.localPort = 4481;
    server.peerAddress = u"127.0.0.1"_s;
    server.peerPort = 50000;
    timeline.updateSession(server);

    Session other = server; // another connection: different client port
    other.id = Timeline::newSessionId();
    other.peerPort = 50001;
    timeline.updateSession(other);

    Session client;
    client.id = Timeline::newSessionId();
    client.side = Side::Client;
    client.localAddress = u"127.0.0.1"_s;
    client.localPort = 50000;
    client.peerAddress = u"127.0.0.1"_s;
    client.peerPort = 4481;
    timeline.updateSession(client);

    QCOMPARE(timeline.session(client.id).linkedSession, server.id);
    QCOMPARE(timeline.session(server.id).linkedSession, client.id);
    QCOMPARE(timeline.session(other.id).linkedSession, 0u);
    QVERIFY(updated.size() >= 4); // both ends are announced when linked

    // Later updates keep the link.
    client.state = SessionState::Closed;
    timeline.updateSession(client);
    QCOMPARE(timeline.session(client.id).linkedSession, server.id);
    QCOMPARE(timeline.sessions().size(), 3);
    QCOMPARE(timeline.sessions().first().id, server.id);
}

void TestTimeline::jsonLine()
{
    const Event e {1795775663220616, 7, Side::Server, EventKind::PlaintextRefused, Severity::Warning,
        u"Refused: the client sent plaintext to a TLS port"_s,
        EventDetails {{u"reason", u"the client sent plaintext to a TLS port"_s}}};
    const QJsonObject o = e.toJson();
    QCOMPARE(o.value(u"kind"_s).toString(), u"plaintext-refused"_s);
    QCOMPARE(o.value(u"side"_s).toString(), u"server"_s);
    QCOMPARE(o.value(u"severity"_s).toString(), u"warning"_s);
    QCOMPARE(o.value(u"session"_s).toInteger(), 7);
    QCOMPARE(o.value(u"time"_s).toString(), u"2026-11-27T10:34:23.220616Z"_s);
    QCOMPARE(
        o.value(u"details"_s).toObject().value(u"reason"_s).toString(), u"the client sent plaintext to a TLS port"_s);
    for (int k = 0; k < int(EventKind::KindCount); ++k)
        QCOMPARE(kindFromName(kindName(EventKind(k))), EventKind(k));
    QCOMPARE(kindFromName(u"nonsense"), EventKind::KindCount);
    QCOMPARE(previewBytes("a\nb\x01\\", 64), u"a\\nb\\x01\\\\"_s);
    QCOMPARE(previewBytes("abcdef", 3), u"abc…"_s);
}

void TestTimeline::fastJsonLineEqualsJsonObject()
{
    QCborArray chain;
    chain.append(QCborMap {{u"subject"_s, u"CN=Zürich \"quoted\""_s}, {u"depth"_s, 0}});
    chain.append(QCborMap {{u"subject"_s, u"CN=東京"_s}, {u"depth"_s, 1}, {u"ca"_s, true}});
    const QStringList versions {u"TLS 1.3"_s, u"TLS 1.2"_s};
    const QList<Event> events = {
        {nowUs(), 1, Side::Server, EventKind::Closed, Severity::Info, u"no details"_s, {}},
        {nowUs(), 2, Side::Client, EventKind::DataReceived, Severity::Info,
            u"control \u0001 chars \t and \"quotes\" and \\ back"_s,
            EventDetails {{u"bytes", qint64(5)}, {u"text", u"a\nb\u0002c"_s}, {u"negative", qint64(-42)}}},
        {nowUs(), 3, Side::Server, EventKind::Encrypted, Severity::Success, u"naïve ✓"_s,
            EventDetails {{u"peer_chain", chain}, {u"versions", versions}, {u"untrusted", false}, {u"ratio", 0.25},
                {u"big", qint64(1) << 40}}},
        {1795775663000001, 4, Side::Client, EventKind::SocketError, Severity::Error, QString(),
            EventDetails(QCborMap {{u"nested"_s, QCborMap {{u"deeper"_s, QCborArray {1, 2, 3}}}}})},
    };
    for (const Event &e : events) {
        QByteArray direct;
        QVERIFY(e.details.isEmpty() || e.details.appendJson(direct)); // the fast path, not the fallback
        const QByteArray line = e.toJsonLine();
        QVERIFY(line.endsWith('\n'));
        QCOMPARE(line.count('\n'), 1);
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        QVERIFY2(error.error == QJsonParseError::NoError,
            qPrintable(error.errorString() + u": "_s + QString::fromUtf8(line)));
        QCOMPARE(doc.object(), e.toJson());
    }
}

void TestTimeline::clear()
{
    Timeline timeline;
    QSignalSpy cleared(&timeline, &Timeline::cleared);
    timeline.record(1, Side::Server, EventKind::Closed, Severity::Info, u"x"_s);
    timeline.clear();
    QCOMPARE(cleared.size(), 1);
    QCOMPARE(timeline.eventCount(), 0);
    timeline.record(1, Side::Server, EventKind::Closed, Severity::Info, u"after"_s);
    QCOMPARE(timeline.event(0).summary, u"after"_s);
}

void TestTimeline::undoKeepsTheBudget()
{
    // Cleared after the budget had dropped its oldest: undone, the indices go on from the cleared ones and the whole
    // stays within the budget, newest kept.
    Timeline timeline;
    timeline.setEventBudget(100);
    for (int i = 0; i < 250; ++i)
        timeline.record(1, Side::Server, EventKind::DataReceived, Severity::Info, u"old %1"_s.arg(i));
    const qsizetype firstBefore = timeline.firstIndex();
    QVERIFY(firstBefore > 0);
    QCOMPARE(timeline.eventCount(), 250);
    timeline.clear();
    for (int i = 0; i < 30; ++i)
        timeline.record(1, Side::Server, EventKind::DataReceived, Severity::Info, u"new %1"_s.arg(i));
    timeline.restoreCleared();
    QCOMPARE(timeline.eventCount(), 280);
    QVERIFY(timeline.eventCount() - timeline.firstIndex() <= 100);
    QVERIFY(timeline.firstIndex() >= firstBefore);
    QCOMPARE(timeline.summary(279), u"new 29"_s);
    QCOMPARE(timeline.summary(249), u"old 249"_s);
    QCOMPARE(timeline.summary(timeline.firstIndex()), timeline.event(timeline.firstIndex()).summary);
    QVERIFY(timeline.summary(timeline.firstIndex() - 1).isEmpty()); // dropped: nothing, safely
}

void TestTimeline::clearCanBeUndone()
{
    Timeline timeline;
    QVERIFY(!timeline.canRestoreCleared());
    Session open;
    open.id = Timeline::newSessionId();
    open.side = Side::Client;
    open.state = SessionState::Handshaking;
    timeline.updateSession(open);
    Session done;
    done.id = Timeline::newSessionId();
    done.side = Side::Server;
    done.state = SessionState::Closed;
    timeline.updateSession(done);
    timeline.record(
        open.id, Side::Client, EventKind::TcpConnected, Severity::Info, u"before 1"_s, EventDetails {{u"port", 4481}});
    timeline.record(done.id, Side::Server, EventKind::Closed, Severity::Info, u"before 2 — ü"_s);

    timeline.clear();
    QVERIFY(timeline.canRestoreCleared());
    QCOMPARE(timeline.clearedEventCount(), 2);
    QCOMPARE(timeline.eventCount(), 0);
    QCOMPARE(timeline.sessionCount(), 0);
    // Clearing an empty timeline keeps what the previous clear removed.
    timeline.clear();
    QCOMPARE(timeline.clearedEventCount(), 2);

    // Recorded since the clear: the open session goes on, a new one starts, and one event is larger than an arena
    // chunk (its bytes are copied into a chunk of its own on restore).
    open.state = SessionState::Encrypted;
    timeline.updateSession(open);
    Session later;
    later.id = Timeline::newSessionId();
    later.side = Side::Client;
    timeline.updateSession(later);
    const QString big(5 * 1024 * 1024, u'x');
    timeline.record(open.id, Side::Client, EventKind::Encrypted, Severity::Success, u"after 1"_s,
        EventDetails {{u"protocol", u"TLSv1.3"_s}});
    timeline.record(later.id, Side::Client, EventKind::DataSent, Severity::Info, big);
    timeline.record(later.id, Side::Client, EventKind::Closed, Severity::Info, u"after 3"_s);

    QSignalSpy cleared(&timeline, &Timeline::cleared);
    QSignalSpy announced(&timeline, &Timeline::eventsAppended);
    QCoreApplication::processEvents(); // the announcement of the appends since the clear, before the undo
    announced.clear();
    timeline.restoreCleared();
    QVERIFY(!timeline.canRestoreCleared());
    QCOMPARE(cleared.size(), 1);
    QCOMPARE(announced.size(), 1);
    QCOMPARE(announced.first().at(0).value<qsizetype>(), 0);
    QCOMPARE(announced.first().at(1).value<qsizetype>(), 4);

    QCOMPARE(timeline.eventCount(), 5);
    QCOMPARE(timeline.summary(0), u"before 1"_s);
    QCOMPARE(timeline.event(0).details.value(u"port").toInteger(), 4481);
    QCOMPARE(timeline.summary(1), u"before 2 — ü"_s);
    QCOMPARE(timeline.summary(2), u"after 1"_s);
    QCOMPARE(timeline.event(2).details.value(u"protocol").toString(), u"TLSv1.3"_s);
    QCOMPARE(timeline.event(3).summary, big);
    QCOMPARE(timeline.summary(4), u"after 3"_s);
    QCOMPARE(timeline.header(4).session, later.id);
    EventFilter onlyLater;
    onlyLater.sessions = {later.id};
    QCOMPARE(timeline.matching(onlyLater, 0, timeline.eventCount()), (QList<qsizetype> {3, 4}));

    const QList<Session> sessions = timeline.sessions();
    QCOMPARE(sessions.size(), 3);
    QCOMPARE(sessions.at(0).id, open.id);
    QCOMPARE(sessions.at(0).state, SessionState::Encrypted); // its newest state, from after the clear
    QCOMPARE(sessions.at(1).id, done.id);
    QCOMPARE(sessions.at(2).id, later.id);

    // New events go after the restored ones; nothing is left to restore, and a second undo changes nothing.
    timeline.record(later.id, Side::Client, EventKind::Closed, Severity::Info, u"after undo"_s);
    QCOMPARE(timeline.summary(5), u"after undo"_s);
    timeline.restoreCleared();
    QCOMPARE(timeline.eventCount(), 6);
    QCOMPARE(cleared.size(), 1);

    // The next clear replaces what can be undone; discardCleared() forgets it.
    timeline.clear();
    QCOMPARE(timeline.clearedEventCount(), 6);
    timeline.discardCleared();
    QVERIFY(!timeline.canRestoreCleared());
}

void TestTimeline::appendsAreAnnouncedAsRanges()
{
    Timeline timeline;
    QSignalSpy announced(&timeline, &Timeline::eventsAppended);
    for (int i = 0; i < 1000; ++i)
        timeline.record(1, Side::Server, EventKind::DataReceived, Severity::Info, u"burst %1"_s.arg(i));
    QCOMPARE(announced.size(), 0); // never from inside append(): from the event loop
    QVERIFY(announced.wait(5000));
    QCOMPARE(announced.size(), 1); // one announcement for the whole burst
    QCOMPARE(announced.first().at(0).value<qsizetype>(), 0);
    QCOMPARE(announced.first().at(1).value<qsizetype>(), 999); // inclusive
    QCoreApplication::processEvents();
    QCOMPARE(announced.size(), 1); // nothing new, nothing announced

    timeline.record(1, Side::Client, EventKind::DataSent, Severity::Info, u"one more"_s);
    QVERIFY(announced.wait(5000));
    QCOMPARE(announced.last().at(0).value<qsizetype>(), 1000);
    QCOMPARE(announced.last().at(1).value<qsizetype>(), 1000);

    // After clear() the indices start again at 0, also for an announcement queued before it.
    timeline.record(1, Side::Client, EventKind::DataSent, Severity::Info, u"before clear"_s);
    timeline.clear();
    timeline.record(1, Side::Client, EventKind::DataSent, Severity::Info, u"after clear 1"_s);
    timeline.record(1, Side::Client, EventKind::DataSent, Severity::Info, u"after clear 2"_s);
    QVERIFY(announced.wait(5000));
    QCOMPARE(announced.last().at(0).value<qsizetype>(), 0);
    QCOMPARE(announced.last().at(1).value<qsizetype>(), 1);
}

void TestTimeline::appendsFromAnotherThreadAreAnnouncedInTheTimelinesThread()
{
    Timeline timeline;
    QList<std::pair<qsizetype, qsizetype>> ranges;
    bool inOwnThread = true;
    connect(&timeline, &Timeline::eventsAppended, this, [&](qsizetype first, qsizetype last) {
        inOwnThread = inOwnThread && QThread::currentThread() == timeline.thread();
        ranges.append({first, last});
    });
    constexpr int Count = 50'000;
    QThread *worker = QThread::create([&timeline] {
        for (int i = 0; i < Count; ++i)
            timeline.record(2, Side::Server, EventKind::DataReceived, Severity::Info, u"from a worker"_s);
    });
    worker->start();
    QVERIFY(worker->wait(30000));
    delete worker;
    QTRY_VERIFY_WITH_TIMEOUT(!ranges.isEmpty() && ranges.last().second == Count - 1, 5000);
    QVERIFY(inOwnThread);
    // This thread was blocked in wait() all along: the first append queued the one announcement, and it names all.
    QCOMPARE(ranges.size(), 1);
    QCOMPARE(ranges.first().first, 0);
    QCOMPARE(ranges.first().second, qsizetype(Count - 1));
}

void TestTimeline::budgetKeepsTheNewestEvents()
{
    Timeline timeline;
    constexpr qsizetype Budget = 1000;
    timeline.setEventBudget(Budget);
    QCOMPARE(timeline.eventBudget(), Budget);
    // 10 kB summaries: a budget's worth is about 10 MB, 3x the budget about 30 MB, several 4 MB arena chunks.
    const QString padding(10000, u'p');
    quint64 peakMemory = 0;
    for (int i = 0; i < 3 * Budget; ++i) {
        timeline.record(quint64(i + 1), Side::Server, EventKind::DataReceived, Severity::Info,
            u"event %1 "_s.arg(i) + padding, EventDetails {{u"i", i}});
        QCOMPARE(timeline.eventCount(), qsizetype(i + 1)); // the global end counts every event ever appended
        QVERIFY(timeline.eventCount() - timeline.firstIndex() <= Budget);
        QCOMPARE(timeline.droppedEventCount(), timeline.firstIndex());
        peakMemory = std::max(peakMemory, timeline.eventMemoryBytes());
    }
    const qsizetype first = timeline.firstIndex();
    QVERIFY(first >= 2 * Budget); // at most the budget kept
    QVERIFY(first < 3 * Budget);
    // The kept events are the newest, back exactly as appended.
    for (qsizetype i = first; i < timeline.eventCount(); ++i) {
        const Event e = timeline.event(i);
        QCOMPARE(e.session, quint64(i + 1));
        QCOMPARE(e.summary, u"event %1 "_s.arg(i) + padding);
        QCOMPARE(e.details.value(u"i").toInteger(), qint64(i));
        QCOMPARE(timeline.header(i).session, quint64(i + 1));
        QVERIFY(timeline.summary(i).startsWith(u"event %1 "_s.arg(i)));
    }
    // Dropped indices read as nothing, and never crash.
    for (const qsizetype i : {qsizetype(0), Budget, first - 1}) {
        const Event e = timeline.event(i);
        QCOMPARE(e.summary, QString());
        QCOMPARE(e.session, quint64(0));
        QCOMPARE(timeline.header(i).timeUs, qint64(0));
        QCOMPARE(timeline.summary(i), QString());
        QVERIFY(!timeline.matches(i, EventFilter {}));
    }
    const QList<qsizetype> all = timeline.matching(EventFilter {}, 0, timeline.eventCount());
    QCOMPARE(all.size(), timeline.eventCount() - first);
    QCOMPARE(all.first(), first);
    EventFilter text;
    text.text = u"99 p"_s; // events 99, 199, ... 2999: only the kept ones come back
    const QList<qsizetype> found = timeline.matching(text, 0, timeline.eventCount());
    QVERIFY(!found.isEmpty());
    QVERIFY(found.first() >= first);
    QCOMPARE(found.last(), 3 * Budget - 1);
    // Memory stays bounded: the kept events plus at most two partly used 4 MB chunks, far below the 30 MB appended.
    const quint64 perEvent = 10000 + 64;
    const quint64 bound = quint64(Budget) * perEvent + 2 * 4 * 1024 * 1024;
    QVERIFY2(peakMemory <= bound, qPrintable(u"%1 > %2"_s.arg(peakMemory).arg(bound)));
    QVERIFY(timeline.eventMemoryBytes() <= bound);
}

void TestTimeline::budgetAppliesToEncodedAppends()
{
    Timeline timeline;
    timeline.setEventBudget(100);
    for (int i = 0; i < 350; ++i) {
        const QByteArray summary = "encoded " + QByteArray::number(i);
        const EventDetails details {{u"i", i}};
        timeline.appendEncoded(
            EventHeader {qint64(i + 1), quint64(i), Side::Client, EventKind::DataSent, Severity::Info}, summary,
            details.encodedFields());
    }
    QCOMPARE(timeline.eventCount(), 350);
    QVERIFY(timeline.eventCount() - timeline.firstIndex() <= 100);
    QVERIFY(timeline.droppedEventCount() >= 250);
    const Event last = timeline.event(349);
    QCOMPARE(last.summary, u"encoded 349"_s);
    QCOMPARE(last.details.value(u"i").toInteger(), 349);
    QCOMPARE(timeline.event(timeline.firstIndex()).summary, u"encoded %1"_s.arg(timeline.firstIndex()));
    QCOMPARE(timeline.event(timeline.firstIndex() - 1).summary, QString());
}

void TestTimeline::dropsAreAnnouncedBeforeAppends()
{
    Timeline timeline;
    timeline.setEventBudget(10);
    QStringList order;
    connect(&timeline, &Timeline::eventsDropped, this,
        [&order](qsizetype before) { order.append(u"dropped %1"_s.arg(before)); });
    connect(&timeline, &Timeline::eventsAppended, this,
        [&order](qsizetype first, qsizetype last) { order.append(u"appended %1-%2"_s.arg(first).arg(last)); });
    for (int i = 0; i < 25; ++i)
        timeline.record(1, Side::Server, EventKind::DataReceived, Severity::Info, u"e%1"_s.arg(i));
    QTRY_VERIFY_WITH_TIMEOUT(!order.isEmpty(), 5000);
    // One of each for the burst: the front dropped unseen, then only the kept events appended.
    const qsizetype first = timeline.firstIndex();
    QVERIFY(first > 0);
    QCOMPARE(order, QStringList({u"dropped %1"_s.arg(first), u"appended %1-24"_s.arg(first)}));
    order.clear();
    for (int i = 25; i < 40; ++i)
        timeline.record(1, Side::Server, EventKind::DataReceived, Severity::Info, u"e%1"_s.arg(i));
    QTRY_VERIFY_WITH_TIMEOUT(!order.isEmpty(), 5000);
    // 15 more over a budget of 10: some of the new ones were dropped unseen as well, and are not announced.
    const qsizetype kept = timeline.firstIndex();
    QVERIFY(kept > 25);
    QCOMPARE(order, QStringList({u"dropped %1"_s.arg(kept), u"appended %1-39"_s.arg(kept)}));
}

void TestTimeline::smallerBudgetTrimsAtOnceAndClearStartsOver()
{
    Timeline timeline;
    for (int i = 0; i < 500; ++i)
        timeline.record(1, Side::Server, EventKind::DataReceived, Severity::Info, u"e%1"_s.arg(i));
    QCOMPARE(timeline.firstIndex(), 0); // no budget: everything kept
    QSignalSpy dropped(&timeline, &Timeline::eventsDropped);
    timeline.setEventBudget(200);
    QVERIFY(timeline.eventCount() - timeline.firstIndex() <= 200);
    QCOMPARE(timeline.eventCount(), 500);
    QTRY_COMPARE_WITH_TIMEOUT(dropped.size(), 1, 5000);
    QCOMPARE(dropped.first().first().value<qsizetype>(), timeline.firstIndex());
    QCOMPARE(timeline.event(499).summary, u"e499"_s);
    timeline.clear();
    QCOMPARE(timeline.firstIndex(), 0);
    QCOMPARE(timeline.droppedEventCount(), 0);
    QCOMPARE(timeline.eventCount(), 0);
    timeline.record(1, Side::Server, EventKind::DataReceived, Severity::Info, u"again"_s);
    QCOMPARE(timeline.event(0).summary, u"again"_s);
    QCOMPARE(timeline.eventBudget(), 200); // the budget is a setting, not content
}

void TestTimeline::concurrentAppendsWithBudget()
{
    Timeline timeline;
    constexpr qsizetype Budget = 5000;
    timeline.setEventBudget(Budget);
    constexpr int Threads = 2;
    constexpr int PerThread = 30000;
    QList<QThread *> threads;
    for (int t = 0; t < Threads; ++t) {
        threads.append(QThread::create([&timeline, t] {
            for (int i = 0; i < PerThread; ++i)
                timeline.record(quint64(t + 1), Side::Client, EventKind::DataSent, Severity::Info,
                    u"thread %1 event %2"_s.arg(t).arg(i), EventDetails {{u"i", i}});
        }));
        threads.last()->start();
    }
    // Reading while they write and trim: an index is either kept (and whole) or dropped (and empty). Bounded by the
    // writers, which end after a fixed count.
    while (std::any_of(threads.begin(), threads.end(), [](QThread *t) { return t->isRunning(); })) {
        const qsizetype first = timeline.firstIndex();
        const qsizetype end = timeline.eventCount();
        QVERIFY(first <= end);
        for (const qsizetype i : {first, end - 1, (first + end) / 2}) {
            const QString summary = timeline.summary(i);
            QVERIFY2(summary.isEmpty() || summary.startsWith(u"thread "_s), qPrintable(summary));
        }
        const QList<qsizetype> kept = timeline.matching(EventFilter {}, 0, end);
        QVERIFY(qsizetype(kept.size()) <= Budget);
    }
    for (QThread *t : threads) {
        t->wait();
        delete t;
    }
    QCOMPARE(timeline.eventCount(), Threads * PerThread);
    QVERIFY(timeline.eventCount() - timeline.firstIndex() <= Budget);
    QCOMPARE(timeline.droppedEventCount(), timeline.firstIndex());
    // The kept events are each thread's newest, in that thread's order, ending with its last one (a thread that
    // finished long before the other may have none left).
    QList<qint64> previous(Threads, -1);
    for (qsizetype i = timeline.firstIndex(); i < timeline.eventCount(); ++i) {
        const Event e = timeline.event(i);
        const int t = int(e.session) - 1;
        QVERIFY(t >= 0 && t < Threads);
        const qint64 n = e.details.value(u"i").toInteger();
        QCOMPARE(e.summary, u"thread %1 event %2"_s.arg(t).arg(n));
        if (previous[t] >= 0)
            QCOMPARE(n, previous[t] + 1);
        previous[t] = n;
    }
    QVERIFY(std::any_of(previous.cbegin(), previous.cend(), [](qint64 n) { return n >= 0; }));
    for (int t = 0; t < Threads; ++t) {
        if (previous[t] >= 0)
            QCOMPARE(previous[t], qint64(PerThread - 1));
    }
}

QTEST_GUILESS_MAIN(TestTimeline)
#include "tst_timeline.moc"
