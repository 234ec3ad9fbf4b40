// The composition root: the Lab owns the timeline, the listener and the clients, retires finished clients safely,
// and can be destroyed in the middle of live connections (its members end in the right order by declaration).
#include "model/lab.h"
#include "model/timeline/timeline.h"
#include "model/tls/client.h"
#include "model/tls/listener.h"

#include <QPointer>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;

class TestLab : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dataDir;

    static bool startListener(Lab &lab)
    {
        ListenerConfig config;
        config.port = 0;
        return bool(lab.listener().start(config));
    }

    static ClientConfig trustingListener(const Lab &lab)
    {
        ClientConfig config;
        config.port = lab.listener().port();
        config.serverName = u"localhost"_s;
        config.useSystemCaCertificates = false;
        config.caCertificates = {lab.listener().identity().leaf()};
        return config;
    }

    static bool timelineHas(const Timeline &timeline, quint64 session, EventKind kind)
    {
        for (qsizetype i = 0; i < timeline.eventCount(); ++i) {
            const EventHeader h = timeline.header(i);
            if (h.session == session && h.kind == kind)
                return true;
        }
        return false;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dataDir.isValid());
        qputenv("TLSLAB_DATA_DIR", m_dataDir.path().toLocal8Bit()); // the development certificate goes here
    }

    void clientsRecordIntoTheLabsTimeline()
    {
        Lab lab;
        QVERIFY(startListener(lab));
        Client *client = lab.createClient();
        QCOMPARE(lab.clients(), QList<Client *> {client});
        QSignalSpy encrypted(client, &Client::encrypted);
        client->start(trustingListener(lab));
        QVERIFY(encrypted.wait(10000));
        QVERIFY(timelineHas(lab.timeline(), client->sessionId(), EventKind::Encrypted));
        // The listener's end of the same connection is in the same timeline, linked to the client's.
        QTRY_VERIFY_WITH_TIMEOUT(lab.timeline().session(client->sessionId()).linkedSession != 0, 5000);
        const quint64 server = lab.timeline().session(client->sessionId()).linkedSession;
        QCOMPARE(lab.timeline().session(server).side, Side::Server);
    }

    void finishedClientsAreRetiredByTheNextOne()
    {
        Lab lab;
        QVERIFY(startListener(lab));
        QPointer<Client> first = lab.startPlaintextToListener("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
        QVERIFY(first);
        QCOMPARE(first->config().mode, ClientMode::Plaintext);
        QCOMPARE(first->config().port, lab.listener().port());
        QTRY_VERIFY_WITH_TIMEOUT(first->isFinished(), 10000); // the listener refuses it
        QVERIFY(first->succeeded()); // its bytes were delivered
        QCOMPARE(lab.clients().size(), 1); // kept while nothing new starts: its outcome can still be read

        QPointer<Client> second = lab.createClient();
        QCOMPARE(lab.clients(), QList<Client *> {second.data()});
        QVERIFY(first); // not deleted inside createClient() (the caller may be in one of its signals)...
        QTRY_VERIFY_WITH_TIMEOUT(!first, 5000); // ...but from the event loop
        QVERIFY(second);
        QCOMPARE(lab.clients(), QList<Client *> {second.data()});

        // An unfinished client is never retired.
        QPointer<Client> third = lab.createClient();
        QCoreApplication::processEvents();
        QVERIFY(second);
        QCOMPARE(lab.clients().size(), 2);
        QVERIFY(third);
    }

    void plaintextNeedsARunningListener()
    {
        Lab lab;
        QCOMPARE(lab.startPlaintextToListener("hello\n"), nullptr);
        QVERIFY(lab.clients().isEmpty());
    }

    void destroyedWithLiveConnections()
    {
        auto lab = std::make_unique<Lab>();
        QVERIFY(startListener(*lab));
        Client *client = lab->createClient();
        QSignalSpy encrypted(client, &Client::encrypted);
        client->start(trustingListener(*lab));
        QVERIFY(encrypted.wait(10000));
        QTRY_COMPARE_WITH_TIMEOUT(lab->listener().openConnections(), 1, 5000);
        // Someone still watching the timeline sees the clients and the listener close while it exists.
        QSignalSpy appended(&lab->timeline(), &Timeline::eventAppended);
        QSignalSpy destroyed(&lab->timeline(), &QObject::destroyed);
        lab.reset();
        QCOMPARE(destroyed.size(), 1);
        QVERIFY(!appended.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestLab)
#include "tst_lab.moc"
