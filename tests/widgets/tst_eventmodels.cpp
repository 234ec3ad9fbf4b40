// The timeline's item models: the event table, the filter over it (checked against a brute-force filter), and the
// sessions list, each watched by QAbstractItemModelTester from before the first change.
#include "model/timeline/timeline.h"
#include "widgets/eventfiltermodel.h"
#include "widgets/eventtablemodel.h"
#include "widgets/sessiontablemodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <numeric>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Widgets;

namespace {
Event makeEvent(int i)
{
    Event e;
    e.timeUs = 1'700'000'000'000'000 + i;
    e.session = quint64(i % 7);
    e.side = i % 3 == 0 ? Side::Client : Side::Server;
    e.kind = EventKind(i % int(EventKind::KindCount));
    e.severity = Severity(i % 5);
    e.summary = i % 11 == 0 ? u"Refused: HTTP request %1"_s.arg(i) : u"event number %1"_s.arg(i);
    return e;
}

QList<qsizetype> bruteForce(const Timeline &t, const EventFilter &f)
{
    QList<qsizetype> out;
    for (qsizetype i = t.firstIndex(); i < t.eventCount(); ++i) {
        const Event e = t.event(i);
        if (!(f.sideMask & (e.side == Side::Server ? 1u : 2u)))
            continue;
        if (e.severity < f.minimumSeverity || !(f.kindMask & (quint64(1) << int(e.kind))))
            continue;
        if (!f.sessions.isEmpty() && !f.sessions.contains(e.session))
            continue;
        if (!f.text.isEmpty() && !e.summary.contains(f.text, Qt::CaseInsensitive))
            continue;
        out.append(i);
    }
    return out;
}

QList<qsizetype> rowsOf(const EventFilterModel &m)
{
    QList<qsizetype> out;
    for (int r = 0; r < m.rowCount(); ++r)
        out.append(m.index(r, 0).data(EventTableModel::EventIndexRole).value<qsizetype>());
    return out;
}
} // namespace

class TestEventModels : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void eventTableBatchesInserts()
    {
        Timeline timeline;
        EventTableModel model(&timeline);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        for (int i = 0; i < 1000; ++i)
            timeline.append(makeEvent(i));
        QCOMPARE(model.rowCount(), 0); // nothing inside append(): the timeline announces from the event loop
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 1000, 5000); // pushed, no flush() called
        QCOMPARE(inserted.size(), 1); // one insert for the burst
        QCOMPARE(inserted.first().at(1).toInt(), 0);
        QCOMPARE(inserted.first().at(2).toInt(), 999);
        QCOMPARE(model.rowCount(), 1000);
        QCOMPARE(model.index(11, EventTableModel::SummaryColumn).data().toString(), u"Refused: HTTP request 11"_s);
        QCOMPARE(model.index(3, EventTableModel::SideColumn).data().toString(), u"client"_s);
        QCOMPARE(model.index(3, EventTableModel::KindColumn).data().toString(), kindName(EventKind(3)));
        QCOMPARE(model.index(4, 0).data(EventTableModel::SeverityRole).toInt(), int(Severity::Error));
        QVERIFY(model.index(4, 0).data(Qt::BackgroundRole).isValid()); // errors are tinted
        QVERIFY(!model.index(1, 0).data(Qt::BackgroundRole).isValid()); // info is not
        QVERIFY(!model.index(4, EventTableModel::KindColumn).data(Qt::DecorationRole).value<QIcon>().isNull());

        // A later event comes on its own too, as one more insert.
        timeline.append(makeEvent(1000));
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 1001, 5000);
        QCOMPARE(inserted.size(), 2);
        QCOMPARE(inserted.last().at(1).toInt(), 1000);
        QCOMPARE(inserted.last().at(2).toInt(), 1000);

        timeline.clear();
        QCOMPARE(model.rowCount(), 0);
        timeline.append(makeEvent(1));
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 1, 5000);
    }

    void bigBurstIsInsertedInSteps()
    {
        Timeline timeline;
        EventTableModel model(&timeline);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        const int count = 3 * EventTableModel::MaxRowsPerStep + 17;
        for (int i = 0; i < count; ++i)
            timeline.append(makeEvent(i));
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), count, 5000);
        // Steps of MaxRowsPerStep with the event loop in between, contiguous, the last one the remainder.
        QCOMPARE(inserted.size(), 4);
        for (int i = 0; i < inserted.size(); ++i) {
            QCOMPARE(inserted.at(i).at(1).toInt(), i * EventTableModel::MaxRowsPerStep);
            QCOMPARE(inserted.at(i).at(2).toInt(), std::min(count, (i + 1) * EventTableModel::MaxRowsPerStep) - 1);
        }
    }

    void filterMatchesBruteForce_data()
    {
        QTest::addColumn<int>("events");
        QTest::newRow("small") << 2000;
        QTest::newRow("parallel chunks") << 300'000;
    }

    void filterMatchesBruteForce()
    {
        QFETCH(int, events);
        Timeline timeline;
        EventTableModel source(&timeline);
        EventFilterModel filtered(&source);
        QAbstractItemModelTester tester(&filtered, QAbstractItemModelTester::FailureReportingMode::QtTest);
        for (int i = 0; i < events; ++i)
            timeline.append(makeEvent(i));
        source.flush();
        QCOMPARE(filtered.rowCount(), events);

        EventFilter f;
        f.sideMask = 0b01;
        filtered.setFilter(f);
        QCOMPARE(rowsOf(filtered), bruteForce(timeline, f));
        f.minimumSeverity = Severity::Warning;
        filtered.setFilter(f);
        QCOMPARE(rowsOf(filtered), bruteForce(timeline, f));
        f.kindMask = (quint64(1) << int(EventKind::PlaintextRefused)) | (quint64(1) << int(EventKind::Encrypted));
        filtered.setFilter(f);
        QCOMPARE(rowsOf(filtered), bruteForce(timeline, f));
        f = EventFilter();
        f.text = u"refused: http"_s;
        filtered.setFilter(f);
        QCOMPARE(rowsOf(filtered), bruteForce(timeline, f));
        QVERIFY(filtered.rowCount() > 0);
        f.sessions = {2, 5};
        filtered.setFilter(f);
        QCOMPARE(rowsOf(filtered), bruteForce(timeline, f));

        // New events pass through the active filter as they arrive.
        for (int i = events; i < events + 5000; ++i)
            timeline.append(makeEvent(i));
        source.flush();
        QCOMPARE(rowsOf(filtered), bruteForce(timeline, f));

        const int row = filtered.rowCount() / 2;
        QCOMPARE(filtered.rowForSourceRow(filtered.sourceRow(row)), row);
        QCOMPARE(filtered.rowForSourceRow(1), -1); // session 1 is filtered out
        // The proxy contract: every shown index maps to its source index and back; a hidden source row maps to
        // nothing.
        for (int r : {0, row, filtered.rowCount() - 1}) {
            const QModelIndex proxy = filtered.index(r, EventTableModel::SummaryColumn);
            const QModelIndex src = filtered.mapToSource(proxy);
            QCOMPARE(src.model(), &source);
            QCOMPARE(src.row(), filtered.sourceRow(r));
            QCOMPARE(src.column(), int(EventTableModel::SummaryColumn));
            QCOMPARE(filtered.mapFromSource(src), proxy);
            QCOMPARE(proxy.data(), src.data());
            QCOMPARE(filtered.sibling(r, 0, proxy), filtered.index(r, 0));
        }
        QVERIFY(!filtered.mapFromSource(source.index(1, 0)).isValid());
        // A change in the source reaches the shown rows it covers, as one range (events never change today, but
        // the proxy keeps its side of the contract).
        {
            QSignalSpy changed(&filtered, &QAbstractItemModel::dataChanged);
            const int top = int(filtered.sourceRow(1));
            const int bottom = int(filtered.sourceRow(3));
            Q_EMIT source.dataChanged(source.index(top - 1, 1), source.index(bottom + 1, 2));
            QCOMPARE(changed.size(), 1);
            QCOMPARE(changed.first().at(0).value<QModelIndex>(), filtered.index(1, 1));
            QCOMPARE(changed.first().at(1).value<QModelIndex>(), filtered.index(3, 2));
            changed.clear();
            Q_EMIT source.dataChanged(source.index(1, 0), source.index(1, 4)); // filtered out: nothing to say
            QCOMPARE(changed.size(), 0);
        }
        QVERIFY(!filtered.mapToSource(QModelIndex()).isValid());
        QCOMPARE(filtered.headerData(EventTableModel::KindColumn, Qt::Horizontal).toString(), u"Kind"_s);

        // With nothing shown the header still names the columns.
        EventFilter none;
        none.sideMask = 0;
        filtered.setFilter(none);
        QCOMPARE(filtered.rowCount(), 0);
        QVERIFY(!filtered.hasChildren());
        QCOMPARE(filtered.headerData(EventTableModel::KindColumn, Qt::Horizontal).toString(), u"Kind"_s);

        filtered.setFilter(EventFilter());
        QCOMPARE(filtered.rowCount(), events + 5000);
        timeline.append(makeEvent(0));
        source.flush();
        QCOMPARE(filtered.rowCount(), events + 5001);
        timeline.clear();
        QCOMPARE(filtered.rowCount(), 0);
    }

    void textSearchRefinesAndUsesTheIndex()
    {
        Timeline timeline;
        EventTableModel source(&timeline);
        EventFilterModel filtered(&source);
        QAbstractItemModelTester tester(&filtered, QAbstractItemModelTester::FailureReportingMode::QtTest);
        const QStringList words = {u"Refused: HTTP request"_s, u"http/1.1 in ALPN"_s, u"Grüße aus Köln"_s, u"GRÜSSE"_s,
            u"plain x"_s, u"Received 5 bytes: \\x00ab"_s};
        for (int i = 0; i < 6000; ++i)
            timeline.record(quint64(i % 4), Side::Server, EventKind::DataReceived, Severity::Info,
                words.at(i % words.size()) + u" #"_s + QString::number(i));
        source.flush();
        QTRY_COMPARE_WITH_TIMEOUT(filtered.indexedEvents(), qsizetype(6000), 10000);
        for (const QString &needle :
            {u"http"_s, u"http request"_s, u"HTTP REQ"_s, u"grü"_s, u"x"_s, u"#59"_s, u"\\x00"_s, u"no such text"_s}) {
            filtered.setText(needle);
            EventFilter f;
            f.text = needle;
            QCOMPARE(rowsOf(filtered), bruteForce(timeline, f));
        }
        // Events not yet indexed are searched too.
        filtered.setText(u"http"_s);
        for (int i = 0; i < 600; ++i)
            timeline.record(1, Side::Client, EventKind::DataSent, Severity::Info, u"late HTTP %1"_s.arg(i));
        source.flush();
        EventFilter f;
        f.text = u"http"_s;
        QCOMPARE(rowsOf(filtered), bruteForce(timeline, f));
    }

    void sessionsAreBatchedAndLinked()
    {
        Timeline timeline;
        SessionTableModel model(&timeline);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

        Session client;
        client.id = Timeline::newSessionId();
        client.side = Side::Client;
        client.localAddress = u"127.0.0.1"_s;
        client.localPort = 50000;
        client.peerAddress = u"127.0.0.1"_s;
        client.peerPort = 4481;
        timeline.updateSession(client);
        Session server;
        server.id = Timeline::newSessionId();
        server.side = Side::Server;
        server.localAddress = u"127.0.0.1"_s;
        server.localPort = 4481;
        server.peerAddress = u"127.0.0.1"_s;
        server.peerPort = 50000;
        timeline.updateSession(server);
        server.state = SessionState::Refused;
        server.reason = u"HTTP request in plaintext"_s;
        timeline.updateSession(server);
        model.flush();
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.rowForSession(server.id), 1);
        QCOMPARE(model.index(1, SessionTableModel::StateColumn).data().toString(), u"refused"_s);
        QVERIFY(model.index(1, SessionTableModel::OutcomeColumn).data().toString().contains(u"HTTP request"_s));
        QCOMPARE(model.index(0, 0).data(SessionTableModel::LinkedSessionRole).toULongLong(), server.id);
        QVERIFY(model.index(1, SessionTableModel::LinkedColumn).data().toString().contains(QString::number(client.id)));
        QVERIFY(model.index(1, 0).data(Qt::BackgroundRole).isValid());

        client.state = SessionState::Encrypted;
        client.protocol = u"TLSv1.3"_s;
        timeline.updateSession(client);
        model.flush();
        QCOMPARE(inserted.size(), 1);
        QVERIFY(!changed.isEmpty());
        QCOMPARE(model.index(0, SessionTableModel::ProtocolColumn).data().toString(), u"TLSv1.3"_s);

        timeline.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void sessionUpdatesArePushed()
    {
        Timeline timeline;
        SessionTableModel model(&timeline);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        Session s;
        s.id = Timeline::newSessionId();
        timeline.updateSession(s);
        QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 1, 5000); // no flush() called
        s.state = SessionState::Failed;
        timeline.updateSession(s);
        QTRY_COMPARE_WITH_TIMEOUT(
            model.index(0, 0).data(SessionTableModel::StateRole).toInt(), int(SessionState::Failed), 5000);
    }

    // Under a small budget the timeline drops its oldest events while they arrive: the table removes its front rows,
    // a text filter and a pass-through filter keep exactly the kept events they accept, and all three stay valid
    // models throughout, including when a burst drops events the views never saw.
    void modelsFollowTheBudget()
    {
        constexpr qsizetype Budget = 100;
        Timeline timeline;
        timeline.setEventBudget(Budget);
        EventTableModel source(&timeline);
        EventFilterModel everything(&source);
        EventFilterModel refused(&source);
        EventFilter f;
        f.text = u"refused"_s;
        refused.setFilter(f);
        QAbstractItemModelTester sourceTester(&source, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester everythingTester(&everything, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester refusedTester(&refused, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy removed(&source, &QAbstractItemModel::rowsRemoved);
        int next = 0;
        // Rounds of 40 (a drop every few rounds), then one burst of 3.5x the budget in one turn of the event loop.
        for (const int count : {40, 40, 40, 40, 40, 40, 350, 40}) {
            for (int i = 0; i < count; ++i)
                timeline.append(makeEvent(next++));
            QTRY_COMPARE_WITH_TIMEOUT(source.firstIndex() + source.rowCount(), timeline.eventCount(), 5000);
            QCOMPARE(source.firstIndex(), timeline.firstIndex());
            QVERIFY(source.rowCount() <= Budget);
            for (const int row : {0, source.rowCount() - 1}) {
                const qsizetype index = source.index(row, 0).data(EventTableModel::EventIndexRole).value<qsizetype>();
                QCOMPARE(index, timeline.firstIndex() + row);
                QCOMPARE(
                    source.index(row, EventTableModel::SummaryColumn).data().toString(), makeEvent(int(index)).summary);
                QCOMPARE(source.rowForEvent(index), row);
            }
            QCOMPARE(source.rowForEvent(timeline.firstIndex() - 1), -1);
            QList<qsizetype> all(timeline.eventCount() - timeline.firstIndex());
            std::iota(all.begin(), all.end(), timeline.firstIndex());
            QCOMPARE(rowsOf(everything), all);
            QCOMPARE(rowsOf(refused), bruteForce(timeline, f));
            for (int row = 0; row < refused.rowCount(); ++row) {
                QVERIFY(refused.index(row, EventTableModel::SummaryColumn).data().toString().startsWith(u"Refused"_s));
                QCOMPARE(refused.mapToSource(refused.index(row, 0)).row(),
                    int(refused.eventIndex(row) - source.firstIndex()));
                QCOMPARE(refused.rowForEvent(refused.eventIndex(row)), row);
            }
        }
        QVERIFY(!removed.isEmpty());
        QVERIFY(timeline.droppedEventCount() > 5 * Budget);
        // A new filter over what is kept.
        EventFilter server;
        server.sideMask = 0b01;
        refused.setFilter(server);
        QCOMPARE(rowsOf(refused), bruteForce(timeline, server));
    }

    void contiguousRanges()
    {
        using Ranges = QList<std::pair<int, int>>;
        QCOMPARE(SessionTableModel::contiguousRanges({}), Ranges {});
        QCOMPARE(SessionTableModel::contiguousRanges({4}), (Ranges {{4, 4}}));
        QCOMPARE(SessionTableModel::contiguousRanges({8, 0, 5, 2, 7, 1}), (Ranges {{0, 2}, {5, 5}, {7, 8}}));
        QCOMPARE(SessionTableModel::contiguousRanges({3, 3, 4, 3}), (Ranges {{3, 4}})); // duplicates
    }

    void changedSessionsAreMergedIntoContiguousRanges()
    {
        Timeline timeline;
        SessionTableModel model(&timeline);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QList<Session> sessions;
        for (int i = 0; i < 10; ++i) {
            Session s;
            s.id = Timeline::newSessionId();
            s.side = Side::Server;
            sessions.append(s);
            timeline.updateSession(s);
        }
        model.flush();
        QCOMPARE(model.rowCount(), 10);

        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        // Rows 8, 0, 5, 2, 7, 1 change (one of them twice), in that order.
        for (int row : {8, 0, 5, 2, 7, 1, 5}) {
            sessions[row].state = SessionState::Encrypted;
            sessions[row].protocol = u"TLSv1.3"_s;
            timeline.updateSession(sessions[row]);
        }
        model.flush();
        QCOMPARE(inserted.size(), 0);
        QList<std::pair<int, int>> ranges;
        for (const QList<QVariant> &signal : std::as_const(changed)) {
            const auto topLeft = signal.at(0).value<QModelIndex>();
            const auto bottomRight = signal.at(1).value<QModelIndex>();
            QCOMPARE(topLeft.column(), 0);
            QCOMPARE(bottomRight.column(), SessionTableModel::ColumnCount - 1);
            ranges.append({topLeft.row(), bottomRight.row()});
        }
        QCOMPARE(ranges, (QList<std::pair<int, int>> {{0, 2}, {5, 5}, {7, 8}}));
        for (int row : {0, 1, 2, 5, 7, 8})
            QCOMPARE(model.index(row, SessionTableModel::ProtocolColumn).data().toString(), u"TLSv1.3"_s);
        for (int row : {3, 4, 6, 9})
            QCOMPARE(model.index(row, SessionTableModel::ProtocolColumn).data().toString(), QString());

        // A change and a new session in one flush: the change as a range, the new one as one insert after it.
        changed.clear();
        sessions[9].state = SessionState::Closed;
        timeline.updateSession(sessions[9]);
        Session added;
        added.id = Timeline::newSessionId();
        timeline.updateSession(added);
        model.flush();
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.first().at(0).value<QModelIndex>().row(), 9);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted.first().at(1).toInt(), 10);
        QCOMPARE(model.rowForSession(added.id), 10);
    }
};

QTEST_MAIN(TestEventModels)
#include "tst_eventmodels.moc"
