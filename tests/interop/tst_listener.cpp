// The listener against real clients on loopback: openssl s_client, gnutls-cli, curl, ncat, raw sockets and our own
// Client. Every bad client must be recorded with the right classification, and the listener must keep serving.
#include "model/certs/certificateio.h"
#include "model/certs/devcertificate.h"
#include "model/timeline/timeline.h"
#include "model/tls/client.h"
#include "model/tls/listener.h"
#include "peerprocess.h"
#include "testpki.h"

#include <QRandomGenerator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <sys/socket.h>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Test;

namespace {

QList<Event> eventsOf(const Timeline &timeline, quint64 session)
{
    QList<Event> out;
    for (qsizetype i = 0; i < timeline.eventCount(); ++i) {
        const Event e = timeline.event(i);
        if (e.session == session)
            out.append(e);
    }
    return out;
}

// The connection's story without the TLS messages inside the handshake.
QList<EventKind> storyOf(const QList<Event> &events)
{
    QList<EventKind> kinds;
    for (const Event &e : events) {
        if (e.kind != EventKind::TlsMessage)
            kinds.append(e.kind);
    }
    return kinds;
}

// "sent ClientHello", "received Certificate (encrypted)": the handshake messages as the tap recorded them.
QStringList messagesOf(const QList<Event> &events)
{
    QStringList out;
    for (const Event &e : events) {
        if (e.kind != EventKind::TlsMessage && e.kind != EventKind::ClientHello)
            continue;
        const QString type = e.details.value(u"type"_s).toString();
        if (type == u"ChangeCipherSpec" || type.isEmpty())
            continue;
        out.append(e.details.value(u"direction"_s).toString() + u' ' + type
            + (e.details.value(u"encrypted"_s).toBool() ? u" (encrypted)"_s : QString()));
    }
    return out;
}

QList<EventKind> kindsOf(const QList<Event> &events)
{
    QList<EventKind> out;
    for (const Event &e : events)
        out.append(e.kind);
    return out;
}

std::optional<Event> firstOf(const QList<Event> &events, EventKind kind)
{
    for (const Event &e : events) {
        if (e.kind == kind)
            return e;
    }
    return std::nullopt;
}

// Server sessions in order of creation.
QList<Session> serverSessions(const Timeline &timeline)
{
    QList<Session> out;
    for (const Session &s : timeline.sessions()) {
        if (s.side == Side::Server)
            out.append(s);
    }
    return out;
}

} // namespace

class TestListener : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void opensslClientHandshake();
    void gnutlsClientHandshake();
    void devCertificateClientGetsGreeting();
    void plaintextClients_data();
    void plaintextClients();
    void silentClient();
    void malformedTlsRecord();
    void resetMidHandshake();
    void coreStory();
    void clientCertificates();
    void manyClientsAtOnce();
    void portInUse();
    void stopClosesEverything();

private:
    // A TLS Lab client that trusts only the given certificate; returns its session after it finished.
    Session connectTrusting(const QList<QSslCertificate> &trusted, QByteArray *received = nullptr);

    QTemporaryDir m_dir;
    std::unique_ptr<Timeline> m_timeline;
    std::unique_ptr<Listener> m_listener;
    QString m_devCert;
};

void TestListener::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    qputenv("TLSLAB_DATA_DIR", m_dir.filePath(u"data"_s).toUtf8());
    m_devCert = DevCertificate::certificatePath();
}

void TestListener::init()
{
    m_timeline = std::make_unique<Timeline>();
    m_listener = std::make_unique<Listener>(m_timeline.get());
    ListenerConfig config;
    config.port = 0; // any free port: tests run in parallel
    config.alpnProtocols = {"h2", "http/1.1"};
    config.handshakeTimeoutMs = 2000;
    const Status status = m_listener->start(config);
    QVERIFY2(status.ok(), qPrintable(status.error()));
    QVERIFY(m_listener->port() != 0);
    QVERIFY(m_listener->identity().isDevelopmentCertificate);
}

void TestListener::cleanup()
{
    m_listener.reset();
    m_timeline.reset();
}

Session TestListener::connectTrusting(const QList<QSslCertificate> &trusted, QByteArray *received)
{
    Client client(m_timeline.get());
    ClientConfig config;
    config.host = u"127.0.0.1"_s;
    config.port = m_listener->port();
    config.serverName = u"localhost"_s;
    config.useSystemCaCertificates = false;
    config.caCertificates = trusted;
    QSignalSpy data(&client, &Client::dataReceived);
    QSignalSpy finished(&client, &Client::finished);
    client.start(config);
    // Success: the greeting arrives; failure: the client finishes on its own.
    if (!QTest::qWaitFor([&] { return !data.isEmpty() || !finished.isEmpty(); }, 10000))
        qWarning("client neither received data nor finished");
    if (received)
        *received = client.received();
    const bool ok = client.succeeded();
    client.close();
    Session s = client.session();
    if (!ok && s.state != SessionState::Failed)
        s.state = SessionState::Failed;
    return s;
}

void TestListener::opensslClientHandshake()
{
    PeerProcess openssl;
    QVERIFY(openssl.start(u"openssl"_s,
        {u"s_client"_s, u"-connect"_s, u"127.0.0.1:%1"_s.arg(m_listener->port()), u"-servername"_s, u"localhost"_s,
            u"-CAfile"_s, m_devCert, u"-verify_return_error"_s, u"-alpn"_s, u"h2"_s, u"-ign_eof"_s},
        "hello from openssl\n"));
    // -ign_eof keeps it reading after stdin ends; stop it once the echo came back.
    QVERIFY(openssl.waitForOutput("hello from openssl\nHello") || openssl.waitForOutput("Hello from TLS Lab"));
    QTRY_VERIFY_WITH_TIMEOUT(openssl.output().contains("hello from openssl"), 10000);
    openssl.process().terminate();
    openssl.finish();
    const QByteArray out = openssl.output();
    QVERIFY2(out.contains("Verify return code: 0 (ok)"), out.constData());
    QVERIFY(out.contains("ALPN protocol: h2"));

    QTRY_VERIFY(!serverSessions(*m_timeline).isEmpty());
    const Session s = serverSessions(*m_timeline).constFirst();
    QTRY_COMPARE(m_timeline->session(s.id).protocol, u"TLSv1.3"_s);
    const Session done = m_timeline->session(s.id);
    // The cipher the listener records is the one openssl reports.
    QVERIFY2(out.contains(QByteArray("Cipher is " + done.cipher.toLatin1())), qPrintable(done.cipher));
    QCOMPARE(done.alpn, u"h2"_s);
    QCOMPARE(done.peerName, u"localhost"_s);

    const QList<Event> events = eventsOf(*m_timeline, s.id);
    const auto hello = firstOf(events, EventKind::ClientHello);
    QVERIFY(hello);
    QCOMPARE(hello->details.value(u"sni"_s).toString(), u"localhost"_s);
    QVERIFY(hello->details.value(u"alpn"_s).toArray().contains(QCborValue(u"h2"_s)));
    QVERIFY(hello->details.value(u"versions"_s).toArray().contains(QCborValue(u"TLS 1.3"_s)));
    const QList<EventKind> kinds = kindsOf(events);
    // The hello is read by the TLS stack once the handshake started, and reported by the tap as it arrived.
    QVERIFY(kinds.indexOf(EventKind::TcpAccepted) < kinds.indexOf(EventKind::HandshakeStarted));
    QVERIFY(kinds.indexOf(EventKind::HandshakeStarted) < kinds.indexOf(EventKind::ClientHello));
    QVERIFY(kinds.indexOf(EventKind::ClientHello) < kinds.indexOf(EventKind::Encrypted));
    QCOMPARE(hello->details.value(u"records"_s).toInteger(), 1);
    QVERIFY(kinds.contains(EventKind::DataReceived));
}

void TestListener::gnutlsClientHandshake()
{
    PeerProcess gnutls;
    QVERIFY(gnutls.start(u"gnutls-cli"_s,
        {u"127.0.0.1"_s, u"-p"_s, QString::number(m_listener->port()), u"--x509cafile"_s, m_devCert, u"--alpn"_s,
            u"http/1.1"_s},
        {}, false));
    QVERIFY2(gnutls.waitForOutput("Hello from TLS Lab"), gnutls.output().constData());
    gnutls.process().closeWriteChannel();
    gnutls.finish();
    const QByteArray out = gnutls.output() + gnutls.errorOutput();
    QVERIFY2(out.contains("Handshake was completed"), out.constData());

    QTRY_VERIFY(!serverSessions(*m_timeline).isEmpty());
    const quint64 id = serverSessions(*m_timeline).constFirst().id;
    QTRY_COMPARE(m_timeline->session(id).protocol, u"TLSv1.3"_s);
    const Session s = m_timeline->session(id);
    QCOMPARE(s.alpn, u"http/1.1"_s);
    // gnutls names the cipher its own way: "(TLS1.3-X.509)-(ECDHE-X25519)-(ECDSA-SECP256R1-SHA256)-(AES-256-GCM)".
    const QByteArray bulk = s.cipher.contains(u"AES_256_GCM"_s) ? "AES-256-GCM"
        : s.cipher.contains(u"AES_128_GCM"_s)                   ? "AES-128-GCM"
        : s.cipher.contains(u"CHACHA20_POLY1305"_s)             ? "CHACHA20-POLY1305"
                                                                : "?";
    QVERIFY2(out.contains(bulk), qPrintable(s.cipher));
}

void TestListener::devCertificateClientGetsGreeting()
{
    QByteArray received;
    const Session s = connectTrusting(m_listener->identity().chain, &received);
    QCOMPARE(s.state, SessionState::Closed);
    QVERIFY(s.verifyErrors.isEmpty());
    QVERIFY(!s.untrusted);
    QCOMPARE(received, QByteArray("Hello from TLS Lab\n"));
}

void TestListener::plaintextClients_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("classification");
    QTest::addColumn<QString>("reason");

    QTest::newRow("ncat line") << u"ncat"_s << QStringList {u"127.0.0.1"_s, u"PORT"_s} << QByteArray("hello\n")
                               << u"plaintext"_s << u"the client sent plaintext to a TLS port"_s;
    QTest::newRow("curl http") << u"curl"_s
                               << QStringList {u"-s"_s, u"-m"_s, u"5"_s, u"http://127.0.0.1:PORT/index.html"_s}
                               << QByteArray() << u"http"_s
                               << u"the client sent an HTTP request in plaintext to a TLS port"_s;
    QByteArray random(64, 0);
    for (char &c : random)
        c = char(QRandomGenerator::global()->bounded(256));
    random[0] = 0x00; // not a TLS record, not a letter of an HTTP method
    QTest::newRow("ncat random bytes") << u"ncat"_s << QStringList {u"127.0.0.1"_s, u"PORT"_s} << random
                                       << u"plaintext"_s << u"the client sent bytes that are not TLS to a TLS port"_s;
}

void TestListener::plaintextClients()
{
    QFETCH(QString, program);
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, input);
    QFETCH(QString, classification);
    QFETCH(QString, reason);
    for (QString &a : arguments)
        a.replace(u"PORT"_s, QString::number(m_listener->port()));

    PeerProcess peer;
    QVERIFY(peer.start(program, arguments, input, false));
    QTRY_VERIFY_WITH_TIMEOUT(m_listener->counters().refused == 1, 10000);
    peer.process().closeWriteChannel();
    QVERIFY(peer.finish());
    if (program == u"curl")
        QVERIFY2(peer.output().contains("Use https://"), peer.output().constData()); // the short 400 answer

    const Session refused = serverSessions(*m_timeline).constFirst();
    QTRY_COMPARE(m_timeline->session(refused.id).state, SessionState::Refused);
    QCOMPARE(m_timeline->session(refused.id).reason, reason);
    const QList<Event> events = eventsOf(*m_timeline, refused.id);
    const auto first = firstOf(events, EventKind::FirstBytes);
    QVERIFY(first);
    QCOMPARE(first->details.value(u"classification"_s).toString(), classification);
    const auto refusal = firstOf(events, EventKind::PlaintextRefused);
    QVERIFY(refusal);
    QCOMPARE(refusal->details.value(u"reason"_s).toString(), reason);
    QVERIFY(!kindsOf(events).contains(EventKind::HandshakeStarted));

    // The listener goes on serving.
    QVERIFY(m_listener->isListening());
    QByteArray received;
    const Session next = connectTrusting(m_listener->identity().chain, &received);
    QCOMPARE(next.state, SessionState::Closed);
    QCOMPARE(received, QByteArray("Hello from TLS Lab\n"));
}

void TestListener::silentClient()
{
    QTcpSocket silent;
    silent.connectToHost(QHostAddress::LocalHost, m_listener->port());
    QVERIFY(silent.waitForConnected(5000));
    // The handshake timeout is 2 s in init(); the listener must give up on its own.
    QTRY_VERIFY_WITH_TIMEOUT(m_listener->counters().failed == 1, 6000);
    const Session s = serverSessions(*m_timeline).constFirst();
    QCOMPARE(s.state, SessionState::Failed);
    QCOMPARE(s.reason, u"the client sent nothing for 2 s"_s);
    QVERIFY(firstOf(eventsOf(*m_timeline, s.id), EventKind::Timeout));
    QTRY_COMPARE_WITH_TIMEOUT(silent.state(), QAbstractSocket::UnconnectedState, 5000);

    const Session next = connectTrusting(m_listener->identity().chain);
    QCOMPARE(next.state, SessionState::Closed);
}

void TestListener::malformedTlsRecord()
{
    QTcpSocket raw;
    raw.connectToHost(QHostAddress::LocalHost, m_listener->port());
    QVERIFY(raw.waitForConnected(5000));
    // A handshake record whose message is not a ClientHello: the TLS stack must answer it with an alert.
    raw.write(QByteArray::fromHex("1603010005") + "hello");
    QTRY_VERIFY_WITH_TIMEOUT(m_listener->counters().failed == 1, 5000);
    const Session s = serverSessions(*m_timeline).constFirst();
    const QList<Event> events = eventsOf(*m_timeline, s.id);
    QCOMPARE(firstOf(events, EventKind::FirstBytes)->details.value(u"classification"_s).toString(), u"tls-malformed"_s);
    const auto alert = firstOf(events, EventKind::AlertSent);
    QVERIFY(alert);
    QCOMPARE(alert->details.value(u"level"_s).toString(), u"fatal"_s);
    QVERIFY(firstOf(events, EventKind::HandshakeFailed));

    const Session next = connectTrusting(m_listener->identity().chain);
    QCOMPARE(next.state, SessionState::Closed);
}

void TestListener::resetMidHandshake()
{
    QTcpSocket raw;
    raw.connectToHost(QHostAddress::LocalHost, m_listener->port());
    QVERIFY(raw.waitForConnected(5000));
    // The start of a ClientHello record, then a reset (SO_LINGER 0 makes close() send RST).
    raw.write(QByteArray::fromHex("160301020001"));
    QVERIFY(raw.waitForBytesWritten(5000));
    QTRY_COMPARE(m_listener->openConnections(), 1);
    const linger hard {1, 0};
    QCOMPARE(::setsockopt(int(raw.socketDescriptor()), SOL_SOCKET, SO_LINGER, &hard, sizeof hard), 0);
    raw.abort();
    QTRY_VERIFY_WITH_TIMEOUT(m_listener->counters().failed == 1, 5000);
    const Session s = serverSessions(*m_timeline).constFirst();
    QCOMPARE(s.state, SessionState::Failed);
    QVERIFY2(s.reason.contains(u"reset"_s) || s.reason.contains(u"closed"_s), qPrintable(s.reason));
    QCOMPARE(connectTrusting(m_listener->identity().chain).state, SessionState::Closed);
}

// The core story, event by event: a listener with a self-signed certificate; a verifying client that trusts it gets
// the greeting; a plaintext client is refused; the listener is still serving afterwards.
void TestListener::coreStory()
{
    m_listener->stop();
    TestPki pki(m_dir.filePath(u"story"_s));
    const CertFiles selfSigned = pki.makeSelfSigned(u"server"_s, u"localhost"_s, u"DNS:localhost,IP:127.0.0.1"_s);
    QVERIFY2(!selfSigned.certificate.isEmpty(), qPrintable(pki.lastError()));
    auto identity = CertificateIo::loadIdentity(selfSigned.certificate, selfSigned.key);
    QVERIFY2(identity.ok(), qPrintable(identity.error()));
    m_timeline->clear();
    ListenerConfig config;
    config.port = 0;
    config.identity = identity.value();
    QVERIFY(m_listener->start(config).ok());
    QCOMPARE(m_timeline->event(0).kind, EventKind::ListenerStarted);

    // 1. A verifying TLS client that trusts the certificate receives the greeting.
    QByteArray received;
    const Session tls = connectTrusting(identity->chain, &received);
    QCOMPARE(received, QByteArray("Hello from TLS Lab\n"));
    const QList<EventKind> clientKinds = storyOf(eventsOf(*m_timeline, tls.id));
    const QList<EventKind> expectedClient = {EventKind::HandshakeStarted, EventKind::TcpConnected,
        EventKind::HandshakeStarted, EventKind::Encrypted, EventKind::DataReceived};
    QCOMPARE(clientKinds.mid(0, expectedClient.size()), expectedClient);
    QTRY_VERIFY(m_timeline->session(tls.id).linkedSession != 0);
    const quint64 serverId = m_timeline->session(tls.id).linkedSession;
    QCOMPARE(m_timeline->session(serverId).side, Side::Server);
    QCOMPARE(m_timeline->session(serverId).linkedSession, tls.id);
    const QList<EventKind> expectedServer = {EventKind::TcpAccepted, EventKind::FirstBytes, EventKind::HandshakeStarted,
        EventKind::ClientHello, EventKind::Encrypted, EventKind::DataSent};
    QCOMPARE(storyOf(eventsOf(*m_timeline, serverId)).mid(0, expectedServer.size()), expectedServer);
    // Inside the handshake, as each end saw it (TLS 1.3, no client certificate): every message, in order, with
    // what travelled encrypted.
    const QStringList clientMessages = messagesOf(eventsOf(*m_timeline, tls.id));
    QCOMPARE(clientMessages.mid(0, 7),
        QStringList({u"sent ClientHello"_s, u"received ServerHello"_s, u"received EncryptedExtensions (encrypted)"_s,
            u"received Certificate (encrypted)"_s, u"received CertificateVerify (encrypted)"_s,
            u"received Finished (encrypted)"_s, u"sent Finished (encrypted)"_s}));
    QTRY_VERIFY(messagesOf(eventsOf(*m_timeline, serverId)).contains(u"sent NewSessionTicket (encrypted)"_s));
    const QStringList serverMessages = messagesOf(eventsOf(*m_timeline, serverId));
    QCOMPARE(serverMessages.mid(0, 7),
        QStringList({u"received ClientHello"_s, u"sent ServerHello"_s, u"sent EncryptedExtensions (encrypted)"_s,
            u"sent Certificate (encrypted)"_s, u"sent CertificateVerify (encrypted)"_s, u"sent Finished (encrypted)"_s,
            u"received Finished (encrypted)"_s}));
    QVERIFY(!m_timeline->session(serverId).group.isEmpty());
    QCOMPARE(m_timeline->session(serverId).group, m_timeline->session(tls.id).group);
    QCOMPARE(m_timeline->session(serverId).bytesSent, quint64(strlen("Hello from TLS Lab\n")));
    QCOMPARE(m_timeline->session(tls.id).bytesReceived, quint64(strlen("Hello from TLS Lab\n")));

    // 2. A plaintext client is refused, and both ends of it are on the timeline.
    Client plain(m_timeline.get());
    ClientConfig plainConfig;
    plainConfig.port = m_listener->port();
    plainConfig.mode = ClientMode::Plaintext;
    plainConfig.payload = "hello\n";
    QSignalSpy plainFinished(&plain, &Client::finished);
    plain.start(plainConfig);
    QVERIFY(plainFinished.wait(5000));
    QVERIFY(plain.succeeded()); // what was asked (deliver plaintext) happened; the server then closed
    QCOMPARE(plain.session().state, SessionState::Closed);
    const QList<EventKind> plainKinds = kindsOf(eventsOf(*m_timeline, plain.sessionId()));
    QCOMPARE(plainKinds,
        (QList<EventKind> {
            EventKind::HandshakeStarted, EventKind::TcpConnected, EventKind::DataSent, EventKind::Closed}));
    QTRY_VERIFY(m_timeline->session(plain.sessionId()).linkedSession != 0);
    const quint64 refusedId = m_timeline->session(plain.sessionId()).linkedSession;
    QCOMPARE(kindsOf(eventsOf(*m_timeline, refusedId)),
        (QList<EventKind> {EventKind::TcpAccepted, EventKind::FirstBytes, EventKind::PlaintextRefused}));
    QCOMPARE(m_timeline->session(refusedId).state, SessionState::Refused);

    // 3. Still serving.
    QVERIFY(m_listener->isListening());
    const Session again = connectTrusting(identity->chain, &received);
    QCOMPARE(again.state, SessionState::Closed);
    QCOMPARE(received, QByteArray("Hello from TLS Lab\n"));
    QCOMPARE(m_listener->counters().encrypted, 2u);
    QCOMPARE(m_listener->counters().refused, 1u);
}

// A listener that requires client certificates, checked against a CA; several connections in a row, so that a
// reused TLS context must still check each client on its own.
void TestListener::clientCertificates()
{
    m_listener->stop();
    TestPki pki(m_dir.filePath(u"clients"_s));
    const CertFiles ca = pki.makeCa(u"ca"_s, u"Client CA"_s);
    const CertFiles good = pki.makeLeaf(u"good"_s, ca, u"good client"_s, {}, u"client"_s);
    const CertFiles otherCa = pki.makeCa(u"other"_s, u"Other CA"_s);
    const CertFiles stranger = pki.makeLeaf(u"stranger"_s, otherCa, u"stranger"_s, {}, u"client"_s);
    QVERIFY2(!good.certificate.isEmpty() && !stranger.certificate.isEmpty(), qPrintable(pki.lastError()));
    ListenerConfig config;
    config.port = 0;
    config.peerVerify = PeerVerify::Require;
    config.caCertificates = QSslCertificate::fromPath(ca.certificate);
    QVERIFY(m_listener->start(config).ok());

    auto runClient = [&](const QStringList &extra) {
        PeerProcess openssl;
        if (!openssl.start(u"openssl"_s,
                QStringList {u"s_client"_s, u"-connect"_s, u"127.0.0.1:%1"_s.arg(m_listener->port()), u"-CAfile"_s,
                    m_devCert, u"-servername"_s, u"localhost"_s}
                    + extra,
                "hi\n"))
            return QByteArray();
        openssl.finish(10000);
        return openssl.output();
    };
    for (int round = 0; round < 2; ++round) {
        const quint64 encryptedBefore = m_listener->counters().encrypted;
        const quint64 failedBefore = m_listener->counters().failed;
        runClient({u"-cert"_s, good.certificate, u"-key"_s, good.key});
        QTRY_COMPARE_WITH_TIMEOUT(m_listener->counters().encrypted, encryptedBefore + 1, 10000);
        runClient({u"-cert"_s, stranger.certificate, u"-key"_s, stranger.key});
        runClient({});
        QTRY_COMPARE_WITH_TIMEOUT(m_listener->counters().failed, failedBefore + 2, 10000);
        QCOMPARE(m_listener->counters().encrypted, encryptedBefore + 1);
    }
    // The accepted client's certificate is on the server's session; the others failed with their reasons.
    const QList<Session> sessions = serverSessions(*m_timeline);
    QCOMPARE(sessions.size(), 6);
    QCOMPARE(sessions.at(0).state, SessionState::Closed);
    QCOMPARE(
        sessions.at(0).peerChain.value(0).subjectInfo(QSslCertificate::CommonName), QStringList {u"good client"_s});
    for (int i : {1, 2, 4, 5}) {
        QCOMPARE(sessions.at(i).state, SessionState::Failed);
        QVERIFY(firstOf(eventsOf(*m_timeline, sessions.at(i).id), EventKind::HandshakeFailed));
    }
    const QList<Event> strangerEvents = eventsOf(*m_timeline, sessions.at(1).id);
    QVERIFY2(firstOf(strangerEvents, EventKind::VerifyError), "the untrusted client certificate is a verify error");
    QVERIFY2(sessions.at(1).reason.startsWith(u"the client's certificate was rejected: "_s),
        qPrintable(sessions.at(1).reason));
    QCOMPARE(sessions.at(2).reason, u"the client sent no certificate, but this listener requires one"_s);
}

void TestListener::manyClientsAtOnce()
{
    constexpr int TlsClients = 20;
    std::vector<std::unique_ptr<Client>> clients;
    for (int i = 0; i < TlsClients; ++i) {
        auto client = std::make_unique<Client>(m_timeline.get());
        ClientConfig config;
        config.port = m_listener->port();
        config.serverName = u"localhost"_s;
        config.useSystemCaCertificates = false;
        config.caCertificates = m_listener->identity().chain;
        config.payload = "client " + QByteArray::number(i) + "\n";
        client->start(config);
        clients.push_back(std::move(client));
    }
    // Bad clients in the middle of it.
    std::vector<std::unique_ptr<QTcpSocket>> bad;
    for (int i = 0; i < 5; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QHostAddress::LocalHost, m_listener->port());
        socket->write(i % 2 ? "GET / HTTP/1.0\r\n\r\n" : "garbage\n");
        bad.push_back(std::move(socket));
    }
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(clients.begin(), clients.end(),
                                 [](const auto &c) { return c->received().contains("Hello from TLS Lab\nclient "); }),
        20000);
    for (int i = 0; i < TlsClients; ++i)
        QVERIFY(clients[size_t(i)]->received().endsWith(QByteArray("client " + QByteArray::number(i) + "\n")));
    QTRY_COMPARE_WITH_TIMEOUT(m_listener->counters().refused, 5u, 10000);
    QCOMPARE(m_listener->counters().encrypted, quint64(TlsClients));
    QCOMPARE(m_listener->counters().failed, 0u);
}

void TestListener::portInUse()
{
    Listener second(m_timeline.get());
    ListenerConfig config;
    config.port = m_listener->port();
    const Status status = second.start(config);
    QVERIFY(!status.ok());
    QCOMPARE(status.error(), u"port %1 is already in use on 127.0.0.1"_s.arg(m_listener->port()));
    QVERIFY(!second.isListening());
    QCOMPARE(m_timeline->event(m_timeline->eventCount() - 1).kind, EventKind::ListenerFailed);
    // The first one is unaffected.
    QCOMPARE(connectTrusting(m_listener->identity().chain).state, SessionState::Closed);
}

void TestListener::stopClosesEverything()
{
    Client client(m_timeline.get());
    ClientConfig config;
    config.port = m_listener->port();
    config.serverName = u"localhost"_s;
    config.caCertificates = m_listener->identity().chain;
    QSignalSpy encrypted(&client, &Client::encrypted);
    QSignalSpy finished(&client, &Client::finished);
    client.start(config);
    QVERIFY(encrypted.wait(5000));
    QTRY_COMPARE(m_listener->openConnections(), 1);
    m_listener->stop();
    QCOMPARE(m_listener->openConnections(), 0);
    QVERIFY(!m_listener->isListening());
    QVERIFY(finished.wait(5000));
    QCOMPARE(client.session().state, SessionState::Closed);
}

QTEST_GUILESS_MAIN(TestListener)
#include "tst_listener.moc"
