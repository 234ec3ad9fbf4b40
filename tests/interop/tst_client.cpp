// The TLS Lab client against `openssl s_server` on loopback: each failure must be reported with the right errors,
// alerts and outcome, on the right side; "continue anyway" ignores exactly the errors seen, for one connection.
#include "model/certs/certificateio.h"
#include "model/timeline/timeline.h"
#include "model/tls/client.h"
#include "model/tls/tlstext.h"
#include "peerprocess.h"
#include "testpki.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Test;

class TestClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void trustedChain();
    void selfSigned();
    void continueAnyway();
    void wrongHostName();
    void expired();
    void missingClientCertificate_data();
    void missingClientCertificate();
    void clientCertificateAccepted();
    void protocolMismatch();
    void connectionRefused();

private:
    // Starts `openssl s_server -rev` (it answers each line reversed) on a free loopback port for one connection.
    bool startServer(PeerProcess &server, const CertFiles &files, const QStringList &extra = {});
    // Runs a client to its end; the verification decision is `decide` (abandon by default).
    void runClient(Client &client, ClientConfig config, bool continueAnyway = false);
    QList<Event> clientEvents(quint64 session) const;

    QTemporaryDir m_dir;
    std::unique_ptr<TestPki> m_pki;
    CertFiles m_ca, m_server, m_selfSigned, m_expired, m_clientCert;
    std::unique_ptr<Timeline> m_timeline;
    quint16 m_port = 0;
};

void TestClient::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_pki = std::make_unique<TestPki>(m_dir.path());
    m_ca = m_pki->makeCa(u"ca"_s, u"TLS Lab Test CA"_s);
    QVERIFY2(!m_ca.certificate.isEmpty(), qPrintable(m_pki->lastError()));
    m_server = m_pki->makeLeaf(u"server"_s, m_ca, u"localhost"_s, u"DNS:localhost,IP:127.0.0.1"_s);
    QVERIFY2(!m_server.certificate.isEmpty(), qPrintable(m_pki->lastError()));
    m_selfSigned = m_pki->makeSelfSigned(u"selfsigned"_s, u"localhost"_s, u"DNS:localhost,IP:127.0.0.1"_s);
    QVERIFY2(!m_selfSigned.certificate.isEmpty(), qPrintable(m_pki->lastError()));
    m_expired = m_pki->makeLeaf(u"expired"_s, m_ca, u"localhost"_s, u"DNS:localhost,IP:127.0.0.1"_s, u"server"_s,
        TestPki::opensslTime(-10 * 86400), TestPki::opensslTime(-4 * 86400));
    QVERIFY2(!m_expired.certificate.isEmpty(), qPrintable(m_pki->lastError()));
    m_clientCert = m_pki->makeLeaf(u"client"_s, m_ca, u"TLS Lab test client"_s, {}, u"client"_s);
    QVERIFY2(!m_clientCert.certificate.isEmpty(), qPrintable(m_pki->lastError()));
}

void TestClient::init()
{
    m_timeline = std::make_unique<Timeline>();
    m_port = freePort();
    QVERIFY(m_port);
}

bool TestClient::startServer(PeerProcess &server, const CertFiles &files, const QStringList &extra)
{
    QStringList args {u"s_server"_s, u"-accept"_s, u"127.0.0.1:%1"_s.arg(m_port), u"-cert"_s, files.certificate,
        u"-key"_s, files.key, u"-naccept"_s, u"1"_s, u"-rev"_s};
    if (!files.chain.isEmpty())
        args << u"-cert_chain"_s << m_ca.certificate;
    args << extra;
    if (!server.start(u"openssl"_s, args, {}, false))
        return false;
    return server.waitForOutput("ACCEPT");
}

void TestClient::runClient(Client &client, ClientConfig config, bool decideContinue)
{
    config.host = u"127.0.0.1"_s;
    config.port = m_port;
    config.timeoutMs = 8000;
    QObject::connect(&client, &Client::verificationFailed, &client, [&client, decideContinue] {
        if (decideContinue)
            client.continueAnyway();
        else
            client.abandon();
    });
    QSignalSpy finished(&client, &Client::finished);
    QSignalSpy encrypted(&client, &Client::encrypted);
    client.start(config);
    if (!QTest::qWaitFor([&] { return !finished.isEmpty() || !encrypted.isEmpty(); }, 10000))
        qWarning("the client neither finished nor encrypted in time");
    if (finished.isEmpty()) {
        // An echo round trip instead of waiting for silence: the server's answer ("gnip") proves it accepted the
        // connection; a late rejection (TLS 1.3 client certificates, read by the server before our line) ends the
        // client instead.
        client.send("ping\n");
        if (!QTest::qWaitFor([&] { return !finished.isEmpty() || client.received().contains("gnip\n"); }, 10000))
            qWarning("neither the echo nor the end of the connection came");
        client.close();
    }
}

QList<Event> TestClient::clientEvents(quint64 session) const
{
    QList<Event> out;
    for (qsizetype i = 0; i < m_timeline->eventCount(); ++i) {
        const Event e = m_timeline->event(i);
        if (e.session == session)
            out.append(e);
    }
    return out;
}

static QStringList verifyErrorCodes(const QList<Event> &events)
{
    QStringList out;
    for (const Event &e : events) {
        if (e.kind == EventKind::VerifyError)
            out.append(e.details.value(u"error"_s).toString());
    }
    return out;
}

static bool hasKind(const QList<Event> &events, EventKind kind)
{
    return std::any_of(events.begin(), events.end(), [kind](const Event &e) { return e.kind == kind; });
}

void TestClient::trustedChain()
{
    PeerProcess server;
    QVERIFY(startServer(server, m_server));
    Client client(m_timeline.get());
    ClientConfig config;
    config.serverName = u"localhost"_s;
    config.caCertificates = QSslCertificate::fromPath(m_ca.certificate);
    runClient(client, config);
    QVERIFY(client.succeeded());
    const Session s = client.session();
    QCOMPARE(s.state, SessionState::Closed);
    QVERIFY(s.verifyErrors.isEmpty());
    QCOMPARE(s.peerChain.size(), 2); // leaf and CA, as sent
    QCOMPARE(s.peerChain.at(0).subjectInfo(QSslCertificate::CommonName), QStringList {u"localhost"_s});
    QVERIFY(s.protocol == u"TLSv1.3"_s);
    QVERIFY(!s.ephemeralKey.isEmpty());
    QVERIFY(hasKind(clientEvents(s.id), EventKind::Encrypted));
    QCOMPARE(client.received(), QByteArray("gnip\n")); // the server read our line and answered
}

void TestClient::selfSigned()
{
    PeerProcess server;
    QVERIFY(startServer(server, m_selfSigned));
    Client client(m_timeline.get());
    ClientConfig config;
    config.serverName = u"localhost"_s; // system CAs only: a self-signed certificate is not trusted
    runClient(client, config);
    QVERIFY(!client.succeeded());
    const Session s = client.session();
    QCOMPARE(s.state, SessionState::Failed);
    const QList<Event> events = clientEvents(s.id);
    QCOMPARE(verifyErrorCodes(events), QStringList {u"self-signed"_s});
    QVERIFY(hasKind(events, EventKind::HandshakeFailed));
    QVERIFY(!hasKind(events, EventKind::Encrypted));
    QVERIFY2(s.reason.contains(u"self-signed"_s), qPrintable(s.reason));
}

void TestClient::continueAnyway()
{
    PeerProcess server;
    QVERIFY(startServer(server, m_selfSigned));
    Client client(m_timeline.get());
    ClientConfig config;
    config.serverName = u"wrong.example"_s; // two errors: self-signed and the name
    runClient(client, config, true);
    QVERIFY(client.succeeded());
    const Session s = client.session();
    QVERIFY(s.untrusted);
    const QList<Event> events = clientEvents(s.id);
    QStringList codes = verifyErrorCodes(events);
    codes.sort();
    QCOMPARE(codes, (QStringList {u"host-name-mismatch"_s, u"self-signed"_s}));
    auto ignored
        = std::find_if(events.begin(), events.end(), [](const Event &e) { return e.kind == EventKind::ErrorsIgnored; });
    QVERIFY(ignored != events.end());
    QCOMPARE(ignored->details.value(u"errors"_s).toArray().size(), 2);
    auto enc
        = std::find_if(events.begin(), events.end(), [](const Event &e) { return e.kind == EventKind::Encrypted; });
    QVERIFY(enc != events.end());
    QCOMPARE(enc->severity, Severity::Warning);
    QVERIFY(enc->details.value(u"untrusted"_s).toBool());
    QCOMPARE(client.received(), QByteArray("gnip\n")); // the server read our line and answered
}

void TestClient::wrongHostName()
{
    PeerProcess server;
    QVERIFY(startServer(server, m_server));
    Client client(m_timeline.get());
    ClientConfig config;
    config.serverName = u"wrong.example"_s;
    config.caCertificates = QSslCertificate::fromPath(m_ca.certificate);
    runClient(client, config);
    QVERIFY(!client.succeeded());
    QCOMPARE(verifyErrorCodes(clientEvents(client.sessionId())), QStringList {u"host-name-mismatch"_s});
    QVERIFY(client.session().reason.contains(u"not for the name"_s));
}

void TestClient::expired()
{
    PeerProcess server;
    QVERIFY(startServer(server, m_expired));
    Client client(m_timeline.get());
    ClientConfig config;
    config.serverName = u"localhost"_s;
    config.caCertificates = QSslCertificate::fromPath(m_ca.certificate);
    runClient(client, config);
    QVERIFY(!client.succeeded());
    QCOMPARE(verifyErrorCodes(clientEvents(client.sessionId())), QStringList {u"expired"_s});
    QVERIFY(client.session().reason.contains(u"expired"_s));
}

void TestClient::missingClientCertificate_data()
{
    QTest::addColumn<QString>("version");
    QTest::addColumn<QString>("alert");
    QTest::newRow("TLS 1.3") << u"-tls1_3"_s << u"certificate_required"_s;
    QTest::newRow("TLS 1.2") << u"-tls1_2"_s << u"handshake_failure"_s;
}

void TestClient::missingClientCertificate()
{
    QFETCH(QString, version);
    QFETCH(QString, alert);
    PeerProcess server;
    QVERIFY(startServer(server, m_server, {u"-Verify"_s, u"1"_s, u"-CAfile"_s, m_ca.certificate, version}));
    Client client(m_timeline.get());
    ClientConfig config;
    config.serverName = u"localhost"_s;
    config.caCertificates = QSslCertificate::fromPath(m_ca.certificate);
    runClient(client, config);
    QVERIFY(!client.succeeded());
    QCOMPARE(client.session().state, SessionState::Failed);
    const QList<Event> events = clientEvents(client.sessionId());
    auto received
        = std::find_if(events.begin(), events.end(), [](const Event &e) { return e.kind == EventKind::AlertReceived; });
    QVERIFY2(received != events.end(), "the server's alert must be on the client's timeline");
    QCOMPARE(received->details.value(u"type"_s).toString(), alert);
    QCOMPARE(received->details.value(u"level"_s).toString(), u"fatal"_s);
    // The server side (openssl) says why.
    server.finish(5000);
    QVERIFY2(server.errorOutput().contains("certificate") || server.output().contains("certificate"),
        server.errorOutput().constData());
}

void TestClient::clientCertificateAccepted()
{
    PeerProcess server;
    QVERIFY(startServer(server, m_server, {u"-Verify"_s, u"1"_s, u"-CAfile"_s, m_ca.certificate}));
    Client client(m_timeline.get());
    ClientConfig config;
    config.serverName = u"localhost"_s;
    config.caCertificates = QSslCertificate::fromPath(m_ca.certificate);
    auto identity = CertificateIo::loadIdentity(m_clientCert.certificate, m_clientCert.key);
    QVERIFY2(identity.ok(), qPrintable(identity.error()));
    config.clientIdentity = identity.value();
    runClient(client, config);
    QVERIFY(client.succeeded());
    QCOMPARE(client.received(), QByteArray("gnip\n")); // the server read our line and answered
}

void TestClient::protocolMismatch()
{
    PeerProcess server;
    QVERIFY(startServer(server, m_server, {u"-tls1_3"_s}));
    Client client(m_timeline.get());
    ClientConfig config;
    config.serverName = u"localhost"_s;
    config.caCertificates = QSslCertificate::fromPath(m_ca.certificate);
    config.protocol = QSsl::TlsV1_2;
    runClient(client, config);
    QVERIFY(!client.succeeded());
    const QList<Event> events = clientEvents(client.sessionId());
    auto alert
        = std::find_if(events.begin(), events.end(), [](const Event &e) { return e.kind == EventKind::AlertReceived; });
    QVERIFY(alert != events.end());
    QCOMPARE(alert->details.value(u"type"_s).toString(), u"protocol_version"_s);
    QVERIFY(hasKind(events, EventKind::HandshakeFailed));
    QVERIFY2(client.session().reason.contains(u"no TLS version in common"_s), qPrintable(client.session().reason));
}

void TestClient::connectionRefused()
{
    Client client(m_timeline.get());
    ClientConfig config;
    runClient(client, config); // nothing listens on m_port
    QVERIFY(!client.succeeded());
    QVERIFY2(client.session().reason.startsWith(u"connection refused"_s), qPrintable(client.session().reason));
}

QTEST_GUILESS_MAIN(TestClient)
#include "tst_client.moc"
