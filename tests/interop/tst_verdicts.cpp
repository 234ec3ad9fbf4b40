// Verdicts staged with real peers on loopback. Client side: our Client against `openssl s_server` and small
// python3 servers; listener side: our Listener against `openssl s_client`, curl, gnutls-cli, ncat and raw sockets.
// Each case checks the cause_code the user's script would switch on and that the fix names the right change.
#include "model/certs/certificategenerator.h"
#include "model/certs/certificateio.h"
#include "model/certs/devcertificate.h"
#include "model/diagnosis/diagnoser.h"
#include "model/timeline/timeline.h"
#include "model/tls/client.h"
#include "model/tls/listener.h"
#include "peerprocess.h"
#include "testpki.h"

#include <QFile>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Test;

namespace {

// A one-connection TCP server in python3 that misbehaves in one chosen way, then exits (bounded by timeouts).
const char *const PythonServer = R"(
import socket, struct, sys, time
mode, port = sys.argv[1], int(sys.argv[2])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(1)
s.settimeout(20)
print("READY", flush=True)
c, _ = s.accept()
c.settimeout(10)
def drain():
    try:
        while c.recv(4096):
            pass
    except OSError:
        pass
if mode == "smtp":
    c.sendall(b"220 mail.test ESMTP ready\r\n")
    drain()
elif mode == "http":
    c.recv(4096)
    c.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    drain()
elif mode == "binary":
    c.recv(4096)
    c.sendall(bytes(range(64)))
    drain()
elif mode == "silent":
    drain()
elif mode == "stall":
    c.recv(4096)
    c.sendall(b"\x16\x03\x03\x00\x40\x02\x00")
    drain()
elif mode == "close":
    c.recv(4096)
    c.close()
elif mode == "reset":
    c.recv(4096)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
time.sleep(0.2)
)";

// A raw client in python3: connects to the listener and does one thing.
const char *const PythonClient = R"(
import socket, struct, sys, time
mode, port = sys.argv[1], int(sys.argv[2])
c = socket.create_connection(("127.0.0.1", port), timeout=10)
if mode == "partial":
    c.sendall(b"\x16\x03\x01")
if mode in ("silent", "partial"):
    try:
        c.recv(1)
    except OSError:
        pass
elif mode == "close":
    time.sleep(0.1)
    c.close()
elif mode == "reset":
    time.sleep(0.1)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
)";

bool writeIdentity(const Identity &identity, const QString &certificate, const QString &key)
{
    return CertificateIo::writeChainPem(certificate, identity.chain, CertificateIo::Overwrite::Yes).ok()
        && CertificateIo::writeKeyPem(key, identity.key, {}, CertificateIo::Overwrite::Yes).ok();
}

} // namespace

class TestVerdicts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    // Our client.
    void connectionRefused();
    void tlsToPlaintextPort_data();
    void tlsToPlaintextPort();
    void certificateProblems_data();
    void certificateProblems();
    void protocolVersionMismatch_data();
    void protocolVersionMismatch();
    void noSharedCipherIsNotOverclaimed_data();
    void noSharedCipherIsNotOverclaimed();
    void noSharedGroup_data();
    void noSharedGroup();
    void clientCertificateRequired_data();
    void clientCertificateRequired();
    void clientCertificateUntrusted();
    void noAlpnOverlap();
    void handshakeTimeout();
    void handshakeTimeoutAfterSomeBytes();
    void closeVersusReset_data();
    void closeVersusReset();
    void plaintextClientAgainstTls();
    void plaintextLineToOpensslServer();

    // Our listener.
    void plaintextClients_data();
    void plaintextClients();
    void silentAndHalfHello_data();
    void silentAndHalfHello();
    void closeVersusResetBeforeHello_data();
    void closeVersusResetBeforeHello();
    void externalClientRejectsOurCertificate();
    void externalClientRejectsOurCertificate_cases_data();
    void externalClientRejectsOurCertificate_cases();
    void externalClientClosesWithoutAlert();
    void curlAskingForAnotherName_data();
    void curlAskingForAnotherName();
    void listenerProtocolMismatch_data();
    void listenerProtocolMismatch();
    void listenerNoSharedCipher();
    void listenerNoSharedGroup();
    void listenerClientCertificates_data();
    void listenerClientCertificates();
    void listenerWeakClientCertificates_data();
    void listenerWeakClientCertificates();
    void alpnWithoutOverlap_listener();
    void bothEndsInThisProcess();
    void ourClientRejectsOurListener();

private:
    bool startOpensslServer(
        PeerProcess &server, const QString &certificate, const QString &key, const QStringList &extra = {});
    bool startPythonServer(PeerProcess &server, const QString &mode);
    // Runs our client to its end and returns its verdict (as stored in the session by the diagnoser).
    std::optional<Verdict> runClient(ClientConfig config);
    bool startListener(ListenerConfig config);
    // The verdict of the listener's first session, once it has one.
    std::optional<Verdict> listenerVerdict(int timeoutMs = 10000);
    // How many events of this kind one side recorded.
    int countEvents(Side side, EventKind kind) const;

    QTemporaryDir m_dir;
    std::unique_ptr<TestPki> m_pki;
    CertFiles m_ca, m_server, m_selfSigned, m_expired, m_future, m_clientPurpose, m_clientCert, m_strangerCert,
        m_expiredClient;
    QString m_chainRoot, m_leafOnly, m_leafOnlyKey, m_oldIntermediateChain, m_oldIntermediateKey, m_weak, m_weakKey;
    QString m_sha1, m_sha1Key, m_weakClient, m_weakClientKey, m_sha1Client, m_sha1ClientKey;
    QString m_rootPem, m_oldIntermediate, m_futureIntermediateChain, m_futureIntermediateKey, m_futureIntermediate;
    std::unique_ptr<Timeline> m_timeline;
    std::unique_ptr<Listener> m_listener;
    quint16 m_port = 0;
};

void TestVerdicts::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    qputenv("TLSLAB_DATA_DIR", m_dir.filePath(u"data"_s).toUtf8());
    m_pki = std::make_unique<TestPki>(m_dir.path());
    m_ca = m_pki->makeCa(u"ca"_s, u"Verdict Test CA"_s);
    QVERIFY2(!m_ca.certificate.isEmpty(), qPrintable(m_pki->lastError()));
    const QString sans = u"DNS:localhost,IP:127.0.0.1"_s;
    m_server = m_pki->makeLeaf(u"server"_s, m_ca, u"localhost"_s, sans);
    m_selfSigned = m_pki->makeSelfSigned(u"selfsigned"_s, u"localhost"_s, sans);
    m_expired = m_pki->makeLeaf(u"expired"_s, m_ca, u"localhost"_s, sans, u"server"_s,
        TestPki::opensslTime(-10 * 86400), TestPki::opensslTime(-4 * 86400));
    m_future = m_pki->makeLeaf(u"future"_s, m_ca, u"localhost"_s, sans, u"server"_s, TestPki::opensslTime(5 * 86400),
        TestPki::opensslTime(40 * 86400));
    m_clientPurpose = m_pki->makeLeaf(u"clientpurpose"_s, m_ca, u"localhost"_s, sans, u"client"_s);
    m_clientCert = m_pki->makeLeaf(u"client"_s, m_ca, u"Verdict client"_s, {}, u"client"_s);
    m_expiredClient = m_pki->makeLeaf(u"expiredclient"_s, m_ca, u"Expired client"_s, {}, u"client"_s,
        TestPki::opensslTime(-10 * 86400), TestPki::opensslTime(-4 * 86400));
    const CertFiles stranger = m_pki->makeCa(u"strangerca"_s, u"Stranger CA"_s);
    m_strangerCert = m_pki->makeLeaf(u"stranger"_s, stranger, u"Stranger client"_s, {}, u"client"_s);
    for (const CertFiles *f : {&m_server, &m_selfSigned, &m_expired, &m_future, &m_clientPurpose, &m_clientCert,
             &m_strangerCert, &m_expiredClient})
        QVERIFY2(!f->certificate.isEmpty(), qPrintable(m_pki->lastError()));

    // Root -> intermediate -> leaf, and an intermediate that has expired: TLS Lab's generator takes past dates.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    auto make = [](CertificateProfile profile, const QString &cn, const std::optional<Identity> &issuer,
                    const QDateTime &from = {}, const QDateTime &until = {}) {
        CertificateRequest r;
        r.profile = profile;
        r.subject.commonName = cn;
        if (profile == CertificateProfile::Server)
            r.subjectAltNames = {u"DNS:localhost"_s, u"IP:127.0.0.1"_s};
        r.issuer = issuer;
        r.notBefore = from;
        r.notAfter = until;
        return CertificateGenerator::generate(r);
    };
    const auto root = make(CertificateProfile::CertificateAuthority, u"Verdict Root"_s, {});
    QVERIFY2(root, qPrintable(root.error()));
    const auto intermediate = make(CertificateProfile::IntermediateCa, u"Verdict Intermediate"_s, root.value());
    QVERIFY2(intermediate, qPrintable(intermediate.error()));
    const auto leaf = make(CertificateProfile::Server, u"localhost"_s, intermediate.value());
    QVERIFY2(leaf, qPrintable(leaf.error()));
    const auto oldIntermediate = make(CertificateProfile::IntermediateCa, u"Old Verdict Intermediate"_s, root.value(),
        now.addDays(-40), now.addDays(-2));
    QVERIFY2(oldIntermediate, qPrintable(oldIntermediate.error()));
    const auto underOld
        = make(CertificateProfile::Server, u"localhost"_s, oldIntermediate.value(), now.addDays(-20), now.addDays(20));
    QVERIFY2(underOld, qPrintable(underOld.error()));
    m_rootPem = m_dir.filePath(u"root.pem"_s);
    QVERIFY(CertificateIo::writeCertificatePem(m_rootPem, root->chain.first(), CertificateIo::Overwrite::Yes).ok());
    Identity leafAlone = leaf.value();
    leafAlone.chain = {leaf->chain.first()}; // the server "forgot" its intermediate
    m_leafOnly = m_dir.filePath(u"leafonly.pem"_s);
    m_leafOnlyKey = m_dir.filePath(u"leafonly.key"_s);
    QVERIFY(writeIdentity(leafAlone, m_leafOnly, m_leafOnlyKey));
    Identity oldLeaf = underOld.value();
    oldLeaf.chain = {underOld->chain.at(0)};
    m_oldIntermediateChain = m_dir.filePath(u"oldleaf.pem"_s);
    m_oldIntermediateKey = m_dir.filePath(u"oldleaf.key"_s);
    QVERIFY(writeIdentity(oldLeaf, m_oldIntermediateChain, m_oldIntermediateKey));
    // And one that is not valid yet, over a leaf that is.
    const auto futureIntermediate = make(CertificateProfile::IntermediateCa, u"Future Verdict Intermediate"_s,
        root.value(), now.addDays(3), now.addDays(60));
    QVERIFY2(futureIntermediate, qPrintable(futureIntermediate.error()));
    const auto underFuture = make(
        CertificateProfile::Server, u"localhost"_s, futureIntermediate.value(), now.addDays(-1), now.addDays(20));
    QVERIFY2(underFuture, qPrintable(underFuture.error()));
    Identity futureLeaf = underFuture.value();
    futureLeaf.chain = {underFuture->chain.at(0)};
    m_futureIntermediateChain = m_dir.filePath(u"futureleaf.pem"_s);
    m_futureIntermediateKey = m_dir.filePath(u"futureleaf.key"_s);
    QVERIFY(writeIdentity(futureLeaf, m_futureIntermediateChain, m_futureIntermediateKey));
    m_futureIntermediate = m_dir.filePath(u"futureintermediate.pem"_s);
    QVERIFY(CertificateIo::writeCertificatePem(
        m_futureIntermediate, underFuture->chain.at(1), CertificateIo::Overwrite::Yes)
                .ok());
    m_oldIntermediate = m_dir.filePath(u"oldintermediate.pem"_s); // served after the leaf
    QVERIFY(CertificateIo::writeCertificatePem(m_oldIntermediate, underOld->chain.at(1), CertificateIo::Overwrite::Yes)
                .ok());

    // Certificates below OpenSSL's default security level, signed by the test CA with the openssl tool (TLS Lab's
    // own generator makes no weak ones): an RSA 1024 key, and a SHA-1 signature, each for a server and a client.
    auto makeWeak = [this](const QString &name, const QString &newKey, const QString &digest, const QByteArray &eku,
                        QString *certificate, QString *key) {
        *certificate = m_dir.filePath(name + u".pem"_s);
        *key = m_dir.filePath(name + u".key"_s);
        const QString csr = m_dir.filePath(name + u".csr"_s), ext = m_dir.filePath(name + u".ext"_s);
        QFile extFile(ext);
        if (!extFile.open(QIODevice::WriteOnly))
            return false;
        extFile.write("subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=" + eku + "\n");
        extFile.close();
        int code = -1;
        QByteArray out = PeerProcess::run(u"openssl"_s,
            {u"req"_s, u"-new"_s, u"-newkey"_s, newKey, u"-nodes"_s, u"-keyout"_s, *key, u"-out"_s, csr, u"-subj"_s,
                u"/CN=localhost"_s},
            {}, &code);
        if (code != 0) {
            qWarning("%s", out.constData());
            return false;
        }
        out = PeerProcess::run(u"openssl"_s,
            {u"x509"_s, u"-req"_s, u"-in"_s, csr, u"-CA"_s, m_ca.certificate, u"-CAkey"_s, m_ca.key, u"-set_serial"_s,
                u"4242"_s, u"-days"_s, u"3"_s, digest, u"-out"_s, *certificate, u"-extfile"_s, ext},
            {}, &code);
        if (code != 0)
            qWarning("%s", out.constData());
        return code == 0;
    };
    QVERIFY(makeWeak(u"weak"_s, u"rsa:1024"_s, u"-sha256"_s, "serverAuth", &m_weak, &m_weakKey));
    QVERIFY(makeWeak(u"sha1"_s, u"rsa:2048"_s, u"-sha1"_s, "serverAuth", &m_sha1, &m_sha1Key));
    QVERIFY(makeWeak(u"weakclient"_s, u"rsa:1024"_s, u"-sha256"_s, "clientAuth", &m_weakClient, &m_weakClientKey));
    QVERIFY(makeWeak(u"sha1client"_s, u"rsa:2048"_s, u"-sha1"_s, "clientAuth", &m_sha1Client, &m_sha1ClientKey));
}

void TestVerdicts::init()
{
    m_timeline = std::make_unique<Timeline>();
    Diagnoser::of(m_timeline.get());
    m_port = freePort();
    QVERIFY(m_port);
}

void TestVerdicts::cleanup()
{
    m_listener.reset();
    m_timeline.reset();
}

bool TestVerdicts::startOpensslServer(
    PeerProcess &server, const QString &certificate, const QString &key, const QStringList &extra)
{
    const QStringList args = QStringList {u"s_server"_s, u"-accept"_s, u"127.0.0.1:%1"_s.arg(m_port), u"-cert"_s,
                                 certificate, u"-key"_s, key, u"-naccept"_s, u"1"_s}
        + extra;
    // stdin stays open: s_server stops at its end.
    return server.start(u"openssl"_s, args, {}, false) && server.waitForOutput("ACCEPT");
}

bool TestVerdicts::startPythonServer(PeerProcess &server, const QString &mode)
{
    return server.start(u"python3"_s, {u"-c"_s, QString::fromLatin1(PythonServer), mode, QString::number(m_port)})
        && server.waitForOutput("READY");
}

std::optional<Verdict> TestVerdicts::runClient(ClientConfig config)
{
    config.host = u"127.0.0.1"_s;
    config.port = m_port;
    if (config.serverName.isEmpty())
        config.serverName = u"localhost"_s;
    if (config.timeoutMs == 10000)
        config.timeoutMs = 8000;
    Client client(m_timeline.get());
    QObject::connect(&client, &Client::verificationFailed, &client, [&client] { client.abandon(); });
    QSignalSpy finished(&client, &Client::finished);
    QSignalSpy encrypted(&client, &Client::encrypted);
    client.start(config);
    if (!QTest::qWaitFor([&] { return !finished.isEmpty() || !encrypted.isEmpty(); }, 12000))
        qWarning("the client neither finished nor encrypted in time");
    if (finished.isEmpty()) {
        // A TLS 1.3 server's rejection of our certificate comes after "encrypted": give it the chance.
        client.send("ping\n");
        finished.wait(1500);
        client.close();
    }
    const Verdict v = Verdict::fromJson(m_timeline->session(client.sessionId()).diagnosis);
    if (v.causeCode.isEmpty())
        return std::nullopt;
    return v;
}

bool TestVerdicts::startListener(ListenerConfig config)
{
    m_listener = std::make_unique<Listener>(m_timeline.get());
    config.port = 0;
    const Status status = m_listener->start(config);
    if (!status)
        qWarning() << status.error();
    if (status) {
        m_port = m_listener->port();
        Diagnoser::of(m_timeline.get())->setLocalIdentity(m_listener->identity()); // as tlslab serve does
    }
    return status.ok();
}

std::optional<Verdict> TestVerdicts::listenerVerdict(int timeoutMs)
{
    auto find = [this]() -> std::optional<Verdict> {
        for (const Session &s : m_timeline->sessions()) {
            if (s.side == Side::Server && !s.diagnosis.isEmpty())
                return Verdict::fromJson(s.diagnosis);
        }
        return std::nullopt;
    };
    if (!QTest::qWaitFor([&] { return find().has_value(); }, timeoutMs))
        return std::nullopt;
    return find();
}

int TestVerdicts::countEvents(Side side, EventKind kind) const
{
    int n = 0;
    for (qsizetype i = 0; i < m_timeline->eventCount(); ++i) {
        const Event e = m_timeline->event(i);
        n += e.side == side && e.kind == kind ? 1 : 0;
    }
    return n;
}

// ---- our client -----------------------------------------------------------------------------------------------------

void TestVerdicts::connectionRefused()
{
    ClientConfig config;
    const auto v = runClient(config); // nothing listens on m_port
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"connection-refused"_s);
    QCOMPARE(v->step, Verdict::Step::TcpConnect);
    QVERIFY(v->fix.contains(u"Start the server"_s));
}

void TestVerdicts::tlsToPlaintextPort_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QString>("whyNeedle"); // what the server sent, as the tap saw it
    QTest::addColumn<QString>("fixNeedle");
    QTest::newRow("SMTP greeting") << u"smtp"_s << u"(an SMTP or FTP greeting): \"220 mail.test ESMTP ready\\r\\n\""_s
                                   << u"STARTTLS"_s;
    QTest::newRow("HTTP 400") << u"http"_s << u"(an HTTP response): \"HTTP/1.1 400 Bad Request"_s << u"--plaintext"_s;
    QTest::newRow("binary") << u"binary"_s << u"not text either: \"\\x00\\x01"_s << u"TLS port"_s;
}

void TestVerdicts::tlsToPlaintextPort()
{
    QFETCH(QString, mode);
    QFETCH(QString, whyNeedle);
    QFETCH(QString, fixNeedle);
    PeerProcess server;
    QVERIFY(startPythonServer(server, mode));
    const auto v = runClient({});
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"tls-to-plaintext-port"_s);
    QVERIFY2(v->why.contains(whyNeedle), qPrintable(v->why));
    QVERIFY2(v->fix.contains(fixNeedle), qPrintable(v->fix));
}

void TestVerdicts::certificateProblems_data()
{
    QTest::addColumn<QString>("certificate");
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("trust"); // the CA file the client trusts
    QTest::addColumn<QString>("serverName");
    QTest::addColumn<QStringList>("serverOptions");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("fixNeedle");
    // Filled in the test from the member paths (they exist only after initTestCase).
    QTest::newRow("self-signed") << u"selfsigned"_s << QString() << QString() << QString() << QStringList()
                                 << u"self-signed"_s << u"--ca FILE"_s;
    QTest::newRow("unknown CA") << u"server-chain"_s << QString() << QString() << QString() << QStringList()
                                << u"untrusted-issuer"_s << u"--ca FILE"_s;
    QTest::newRow("incomplete chain") << u"leafonly"_s << QString() << u"root"_s << QString() << QStringList()
                                      << u"missing-intermediate"_s << u"leaf then intermediate"_s;
    // With the system's CAs as well, OpenSSL searches their directory for the issuer and reports error 20, not 21.
    QTest::newRow("incomplete chain, system CAs too")
        << u"leafonly"_s << QString() << u"root+system"_s << QString() << QStringList() << u"missing-intermediate"_s
        << u"leaf then intermediate"_s;
    QTest::newRow("name mismatch") << u"server"_s << QString() << u"ca"_s << u"wrong.test"_s << QStringList()
                                   << u"name-mismatch"_s << u"--servername"_s;
    QTest::newRow("expired") << u"expired"_s << QString() << u"ca"_s << QString() << QStringList() << u"expired"_s
                             << u"Renew the certificate; it expired on"_s;
    QTest::newRow("not yet valid") << u"future"_s << QString() << u"ca"_s << QString() << QStringList()
                                   << u"not-yet-valid"_s << u"valid now"_s;
    QTest::newRow("expired intermediate") << u"oldchain"_s << QString() << u"root"_s << QString() << QStringList()
                                          << u"intermediate-expired"_s << u"current intermediate"_s;
    QTest::newRow("intermediate not yet valid") << u"futurechain"_s << QString() << u"root"_s << QString()
                                                << QStringList() << u"intermediate-not-yet-valid"_s << u"valid now"_s;
    QTest::newRow("no serverAuth") << u"clientpurpose"_s << QString() << u"ca"_s << QString() << QStringList()
                                   << u"wrong-purpose"_s << u"serverAuth"_s;
    QTest::newRow("weak key") << u"weak"_s << QString() << u"ca"_s << QString()
                              << QStringList {u"-cipher"_s, u"DEFAULT:@SECLEVEL=0"_s} << u"weak-key"_s
                              << u"stronger key"_s;
    QTest::newRow("weak signature") << u"sha1"_s << QString() << u"ca"_s << QString()
                                    << QStringList {u"-cipher"_s, u"DEFAULT:@SECLEVEL=0"_s} << u"weak-signature"_s
                                    << u"SHA-256"_s;
}

void TestVerdicts::certificateProblems()
{
    QFETCH(QString, certificate);
    QFETCH(QString, trust);
    QFETCH(QString, serverName);
    QFETCH(QStringList, serverOptions);
    QFETCH(QString, code);
    QFETCH(QString, fixNeedle);
    struct Served
    {
        QString certificate, key, chain;
    };
    const QHash<QString, Served> files = {
        {u"selfsigned"_s, {m_selfSigned.certificate, m_selfSigned.key, {}}},
        {u"server-chain"_s, {m_server.certificate, m_server.key, m_ca.certificate}},
        {u"server"_s, {m_server.certificate, m_server.key, {}}},
        {u"leafonly"_s, {m_leafOnly, m_leafOnlyKey, {}}},
        {u"expired"_s, {m_expired.certificate, m_expired.key, {}}},
        {u"future"_s, {m_future.certificate, m_future.key, {}}},
        {u"oldchain"_s, {m_oldIntermediateChain, m_oldIntermediateKey, m_oldIntermediate}},
        {u"futurechain"_s, {m_futureIntermediateChain, m_futureIntermediateKey, m_futureIntermediate}},
        {u"clientpurpose"_s, {m_clientPurpose.certificate, m_clientPurpose.key, {}}},
        {u"weak"_s, {m_weak, m_weakKey, {}}},
        {u"sha1"_s, {m_sha1, m_sha1Key, {}}},
    };
    const Served served = files.value(certificate);
    QVERIFY(!served.certificate.isEmpty());
    // Both faces: the window pauses on the errors (Qt's sslErrors), the command line rejects them at once inside the
    // handshake (the tap's verification, with the matching alert). They must come to the same verdict.
    for (const bool ask : {true, false}) {
        const QByteArray face = ask ? "window (asks)" : "command line (rejects at once)";
        PeerProcess server;
        QVERIFY(startOpensslServer(server, served.certificate, served.key,
            (served.chain.isEmpty() ? QStringList() : QStringList {u"-cert_chain"_s, served.chain}) + serverOptions));
        ClientConfig config;
        config.askOnVerifyErrors = ask;
        config.useSystemCaCertificates = trust.endsWith(u"+system"_s);
        if (trust == u"ca")
            config.caCertificates = QSslCertificate::fromPath(m_ca.certificate);
        else if (trust.startsWith(u"root"_s))
            config.caCertificates = QSslCertificate::fromPath(m_rootPem);
        config.serverName = serverName;
        const auto v = runClient(config);
        QVERIFY2(v, face.constData());
        QVERIFY2(v->causeCode == code, QByteArray(face + ": " + v->causeCode.toUtf8()).constData());
        QCOMPARE(v->step, Verdict::Step::Certificate);
        QVERIFY2(v->fix.contains(fixNeedle), qPrintable(v->fix));
        if (code == u"missing-intermediate")
            QVERIFY2(v->why.contains(u"CN=Verdict Intermediate"_s), qPrintable(v->why));
        if (code == u"intermediate-expired")
            QVERIFY2(v->why.contains(u"CN=Old Verdict Intermediate"_s), qPrintable(v->why));
        if (code == u"intermediate-not-yet-valid")
            QVERIFY2(v->why.contains(u"CN=Future Verdict Intermediate"_s), qPrintable(v->why));
        if (code == u"name-mismatch")
            QVERIFY2(v->why.contains(u"\"wrong.test\""_s) && v->why.contains(u"localhost"_s), qPrintable(v->why));
        if (code.startsWith(u"weak-"_s)) {
            // The key size or the signature algorithm, and the security level that refused it.
            QVERIFY2(v->why.contains(code == u"weak-key" ? u"1024-bit RSA key"_s : u"SHA1"_s, Qt::CaseInsensitive),
                qPrintable(v->why));
            QVERIFY2(v->why.contains(u"security level"_s), qPrintable(v->why));
            QCOMPARE(v->side, Verdict::Party::Server);
        }
    }
}

void TestVerdicts::protocolVersionMismatch_data()
{
    QTest::addColumn<QString>("serverVersion");
    QTest::addColumn<int>("clientProtocol");
    QTest::addColumn<QString>("fixNeedle");
    QTest::newRow("server 1.2, client 1.3") << u"-tls1_2"_s << int(QSsl::TlsV1_3) << u"--tls 1.2+"_s;
    QTest::newRow("server 1.3, client 1.2") << u"-tls1_3"_s << int(QSsl::TlsV1_2) << u"--tls 1.2+"_s;
}

void TestVerdicts::protocolVersionMismatch()
{
    QFETCH(QString, serverVersion);
    QFETCH(int, clientProtocol);
    QFETCH(QString, fixNeedle);
    PeerProcess server;
    QVERIFY(startOpensslServer(server, m_server.certificate, m_server.key, {serverVersion}));
    ClientConfig config;
    config.caCertificates = QSslCertificate::fromPath(m_ca.certificate);
    config.protocol = QSsl::SslProtocol(clientProtocol);
    const auto v = runClient(config);
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"protocol-version-mismatch"_s);
    QVERIFY2(v->fix.contains(fixNeedle), qPrintable(v->fix));
}

void TestVerdicts::noSharedCipherIsNotOverclaimed_data()
{
    QTest::addColumn<bool>("tap");
    QTest::addColumn<QString>("code");
    // With the tap the client knows no ServerHello came: nothing in its offer suited the server (which, it cannot
    // know). Without it, not even that: a TLS 1.2 handshake_failure may also be a missing client certificate.
    QTest::newRow("with the tap") << true << u"no-shared-parameters"_s;
    QTest::newRow("without the tap") << false << u"peer-aborted-handshake"_s;
}

void TestVerdicts::noSharedCipherIsNotOverclaimed()
{
    // TLS 1.2 with only a cipher suite our client does not offer: the server answers handshake_failure.
    QFETCH(bool, tap);
    QFETCH(QString, code);
    PeerProcess server;
    QVERIFY(startOpensslServer(server, m_server.certificate, m_server.key,
        {u"-tls1_2"_s, u"-cipher"_s, u"ECDHE-ECDSA-NULL-SHA:@SECLEVEL=0"_s}));
    ClientConfig config;
    config.caCertificates = QSslCertificate::fromPath(m_ca.certificate);
    config.tap = tap;
    const auto v = runClient(config);
    QVERIFY(v);
    QCOMPARE(v->causeCode, code);
    QVERIFY2(v->why.contains(u"handshake_failure"_s), qPrintable(v->why));
    if (!tap)
        QVERIFY2(v->why.contains(u"cannot tell"_s), qPrintable(v->why)); // says what it does not know
}

void TestVerdicts::noSharedGroup_data()
{
    QTest::addColumn<QString>("version");
    QTest::newRow("TLS 1.3") << u"-tls1_3"_s;
    QTest::newRow("TLS 1.2") << u"-tls1_2"_s;
}

void TestVerdicts::noSharedGroup()
{
    // The server accepts only brainpoolP256r1, which our client (OpenSSL's default groups) does not offer. This end
    // knows only the server's handshake_failure before any ServerHello: the verdict names what this client offered
    // and leaves open which parameter the server missed.
    QFETCH(QString, version);
    PeerProcess server;
    QVERIFY(
        startOpensslServer(server, m_server.certificate, m_server.key, {version, u"-groups"_s, u"brainpoolP256r1"_s}));
    ClientConfig config;
    config.caCertificates = QSslCertificate::fromPath(m_ca.certificate);
    const auto v = runClient(config);
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"no-shared-parameters"_s);
    QCOMPARE(v->failureClass(), Verdict::FailureClass::NoCommonParameters);
    QCOMPARE(v->step, Verdict::Step::ClientHello);
    QVERIFY2(v->why.contains(u"handshake_failure"_s), qPrintable(v->why));
    QVERIFY2(v->why.contains(u"groups x25519, secp256r1"_s), qPrintable(v->why)); // what this client offered
    QVERIFY2(v->fix.contains(u"Compare"_s), qPrintable(v->fix));
}

void TestVerdicts::clientCertificateRequired_data()
{
    QTest::addColumn<QString>("version");
    QTest::addColumn<bool>("tap");
    QTest::addColumn<QString>("code");
    QTest::newRow("TLS 1.3") << u"-tls1_3"_s << true << u"client-certificate-required"_s;
    QTest::newRow("TLS 1.3, no tap") << u"-tls1_3"_s << false << u"client-certificate-required"_s; // the alert says
    // TLS 1.2: s_server answers handshake_failure. The tap saw the CertificateRequest and that no certificate went
    // back; without it the client cannot tell why.
    QTest::newRow("TLS 1.2") << u"-tls1_2"_s << true << u"client-certificate-required"_s;
    QTest::newRow("TLS 1.2, no tap") << u"-tls1_2"_s << false << u"peer-aborted-handshake"_s;
}

void TestVerdicts::clientCertificateRequired()
{
    QFETCH(QString, version);
    QFETCH(bool, tap);
    QFETCH(QString, code);
    PeerProcess server;
    QVERIFY(startOpensslServer(
        server, m_server.certificate, m_server.key, {version, u"-Verify"_s, u"1"_s, u"-CAfile"_s, m_ca.certificate}));
    ClientConfig config;
    config.caCertificates = QSslCertificate::fromPath(m_ca.certificate);
    config.tap = tap;
    const auto v = runClient(config);
    QVERIFY(v);
    QCOMPARE(v->causeCode, code);
    if (code == u"client-certificate-required") {
        QCOMPARE(v->step, Verdict::Step::ClientCertificate);
        QVERIFY2(v->fix.contains(u"--cert FILE --key FILE"_s), qPrintable(v->fix));
        if (tap) // the CA names the server asked for (s_server -CAfile sends them)
            QVERIFY2(v->fix.contains(u"Verdict Test CA"_s), qPrintable(v->fix));
    } else {
        QVERIFY(v->why.contains(u"client certificate"_s)); // names the possibility, claims nothing
    }
}

void TestVerdicts::clientCertificateUntrusted()
{
    PeerProcess server;
    QVERIFY(startOpensslServer(server, m_server.certificate, m_server.key,
        {u"-tls1_2"_s, u"-Verify"_s, u"1"_s, u"-verify_return_error"_s, u"-CAfile"_s, m_ca.certificate}));
    ClientConfig config;
    config.caCertificates = QSslCertificate::fromPath(m_ca.certificate);
    auto identity = CertificateIo::loadIdentity(m_strangerCert.certificate, m_strangerCert.key, {});
    QVERIFY2(identity, qPrintable(identity.error()));
    config.clientIdentity = identity.value();
    const auto v = runClient(config);
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"client-certificate-untrusted"_s);
    QCOMPARE(v->step, Verdict::Step::ClientCertificate);
    QVERIFY(v->fix.contains(u"--cert/--key"_s));
}

void TestVerdicts::noAlpnOverlap()
{
    PeerProcess server;
    QVERIFY(startOpensslServer(server, m_server.certificate, m_server.key, {u"-alpn"_s, u"h2"_s}));
    ClientConfig config;
    config.caCertificates = QSslCertificate::fromPath(m_ca.certificate);
    config.alpnProtocols = {"http/1.1"};
    const auto v = runClient(config);
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"no-alpn-overlap"_s);
    QVERIFY(v->why.contains(u"http/1.1"_s));
    QVERIFY(v->fix.contains(u"--alpn"_s));
}

void TestVerdicts::handshakeTimeout()
{
    PeerProcess server;
    QVERIFY(startPythonServer(server, u"silent"_s));
    ClientConfig config;
    config.timeoutMs = 800;
    const auto v = runClient(config);
    QVERIFY(v);
    // The tap saw nothing come back: silence, said as such.
    QCOMPARE(v->causeCode, u"silent-peer"_s);
    QCOMPARE(v->failureClass(), Verdict::FailureClass::Timeout);
    QVERIFY2(v->fix.contains(u"speaks TLS"_s), qPrintable(v->fix));

    // Without the tap the client does not know whether anything came back, so it says "timeout", not "silent".
    PeerProcess again;
    m_port = freePort();
    QVERIFY(startPythonServer(again, u"silent"_s));
    config.tap = false;
    const auto blind = runClient(config);
    QVERIFY(blind);
    QCOMPARE(blind->causeCode, u"handshake-timeout"_s);
    QVERIFY2(blind->why.contains(u"not recorded"_s), qPrintable(blind->why));
}

void TestVerdicts::handshakeTimeoutAfterSomeBytes()
{
    // The server answers with the first 7 bytes of a record, then nothing: not silence, and the verdict says so.
    PeerProcess server;
    QVERIFY(startPythonServer(server, u"stall"_s));
    ClientConfig config;
    config.timeoutMs = 800;
    const auto v = runClient(config);
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"handshake-timeout"_s);
    QCOMPARE(v->failureClass(), Verdict::FailureClass::Timeout);
    QVERIFY2(v->why.contains(u"7 byte(s) came back"_s), qPrintable(v->why));
}

void TestVerdicts::closeVersusReset_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QString>("code");
    QTest::newRow("clean close") << u"close"_s << u"closed-during-handshake"_s;
    QTest::newRow("reset") << u"reset"_s << u"reset-during-handshake"_s;
}

void TestVerdicts::closeVersusReset()
{
    QFETCH(QString, mode);
    QFETCH(QString, code);
    PeerProcess server;
    QVERIFY(startPythonServer(server, mode));
    const auto v = runClient({});
    QVERIFY(v);
    QCOMPARE(v->causeCode, code);
    QVERIFY(v->step != Verdict::Step::Certificate); // no certificate blame: no ServerHello was seen
    QCOMPARE(v->gaveUp, Verdict::Party::Server);
    QVERIFY2(v->why.contains(mode == u"reset" ? u"(RST)"_s : u"(FIN)"_s), qPrintable(v->why));
    QCOMPARE(countEvents(Side::Client, EventKind::Reset), mode == u"reset" ? 1 : 0); // recorded as what it was
}

void TestVerdicts::plaintextLineToOpensslServer()
{
    // openssl s_server closes on plaintext without a word: the client cannot know why, and says only that.
    PeerProcess server;
    QVERIFY(startOpensslServer(server, m_server.certificate, m_server.key));
    ClientConfig config;
    config.mode = ClientMode::Plaintext;
    config.payload = "hello\n";
    const auto v = runClient(config);
    QVERIFY(v);
    QCOMPARE(v->kind, Verdict::Kind::Note);
    QCOMPARE(v->causeCode, u"closed-without-answer"_s);
    QVERIFY(v->why.contains(u"cannot tell"_s));
}

void TestVerdicts::plaintextClientAgainstTls()
{
    QVERIFY(startListener({}));
    ClientConfig config;
    config.mode = ClientMode::Plaintext;
    config.payload = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n";
    const auto v = runClient(config);
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"plaintext-to-tls-port"_s);
    QVERIFY(v->fix.contains(u"--plaintext"_s));
}

// ---- our listener ---------------------------------------------------------------------------------------------------

void TestVerdicts::plaintextClients_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("fixNeedle");
    QTest::newRow("curl http://") << u"curl"_s << QStringList {u"-s"_s, u"-m"_s, u"5"_s, u"http://127.0.0.1:%1/"_s}
                                  << QByteArray() << u"https://"_s;
    QTest::newRow("ncat EHLO") << u"ncat"_s << QStringList {u"-w"_s, u"5"_s, u"127.0.0.1"_s, u"%1"_s}
                               << QByteArray("EHLO client.test\r\n") << u"must use TLS"_s;
}

void TestVerdicts::plaintextClients()
{
    QFETCH(QString, program);
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, input);
    QFETCH(QString, fixNeedle);
    QVERIFY(startListener({}));
    for (QString &a : arguments)
        a = a.contains(u"%1"_s) ? a.arg(m_port) : a;
    PeerProcess client;
    QVERIFY(client.start(program, arguments, input));
    const auto v = listenerVerdict();
    client.finish();
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"plaintext-to-tls-port"_s);
    QCOMPARE(v->side, Verdict::Party::Client);
    QVERIFY2(v->fix.contains(fixNeedle), qPrintable(v->fix));
}

void TestVerdicts::silentAndHalfHello_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QString>("code");
    QTest::newRow("no bytes") << u"silent"_s << u"silent-peer"_s;
    QTest::newRow("three bytes") << u"partial"_s << u"handshake-timeout"_s;
}

void TestVerdicts::silentAndHalfHello()
{
    QFETCH(QString, mode);
    QFETCH(QString, code);
    ListenerConfig config;
    config.handshakeTimeoutMs = 600;
    QVERIFY(startListener(config));
    PeerProcess client;
    QVERIFY(client.start(u"python3"_s, {u"-c"_s, QString::fromLatin1(PythonClient), mode, QString::number(m_port)}));
    const auto v = listenerVerdict();
    client.finish();
    QVERIFY(v);
    QCOMPARE(v->causeCode, code);
    QCOMPARE(v->failureClass(), Verdict::FailureClass::Timeout);
}

void TestVerdicts::closeVersusResetBeforeHello_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QString>("code");
    QTest::newRow("clean close") << u"close"_s << u"closed-during-handshake"_s;
    QTest::newRow("reset") << u"reset"_s << u"reset-during-handshake"_s;
}

void TestVerdicts::closeVersusResetBeforeHello()
{
    QFETCH(QString, mode);
    QFETCH(QString, code);
    QVERIFY(startListener({}));
    PeerProcess client;
    QVERIFY(client.start(u"python3"_s, {u"-c"_s, QString::fromLatin1(PythonClient), mode, QString::number(m_port)}));
    const auto v = listenerVerdict();
    client.finish();
    QVERIFY(v);
    QCOMPARE(v->causeCode, code);
    QCOMPARE(v->step, Verdict::Step::FirstBytes);
    QCOMPARE(v->gaveUp, Verdict::Party::Client);
    QCOMPARE(countEvents(Side::Server, EventKind::Reset), mode == u"reset" ? 1 : 0); // recorded as what it was
}

void TestVerdicts::externalClientRejectsOurCertificate()
{
    QVERIFY(startListener({})); // the development certificate, which openssl does not trust
    PeerProcess client;
    QVERIFY(client.start(u"openssl"_s,
        {u"s_client"_s, u"-connect"_s, u"127.0.0.1:%1"_s.arg(m_port), u"-servername"_s, u"localhost"_s,
            u"-verify_return_error"_s, u"-CAfile"_s, m_ca.certificate}));
    const auto v = listenerVerdict();
    client.finish();
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"peer-rejected-certificate"_s);
    QCOMPARE(v->gaveUp, Verdict::Party::Client);
    QVERIFY2(v->cause.contains(u"unknown_ca"_s), qPrintable(v->cause)); // which alert it sent
    // No CA vouches for a self-signed certificate: either the client is given it, or the listener serves another.
    QCOMPARE(v->side, Verdict::Party::Either);
    QVERIFY2(v->why.contains(u"self-signed (TLS Lab's development certificate)"_s), qPrintable(v->why));
    QVERIFY2(v->fix.contains(DevCertificate::certificatePath()) && v->fix.contains(u"-CAfile"_s), qPrintable(v->fix));
}

void TestVerdicts::externalClientRejectsOurCertificate_cases_data()
{
    QTest::addColumn<QString>("served"); // which certificate the listener serves
    QTest::addColumn<QStringList>("clientOptions");
    QTest::addColumn<QString>("alert");
    QTest::addColumn<QString>("whyNeedle");
    QTest::addColumn<QString>("fixNeedle");
    QTest::newRow("incomplete chain") << u"leafonly"_s << QStringList {u"-CAfile"_s, u"root"_s} << u"unknown_ca"_s
                                      << u"without its issuer CN=Verdict Intermediate"_s << u"leaf then intermediate"_s;
    QTest::newRow("expired") << u"expired"_s << QStringList {u"-CAfile"_s, u"ca"_s} << u"certificate_expired"_s
                             << u"this listener's own certificate) is valid from"_s << u"Renew the certificate"_s;
    QTest::newRow("expired intermediate")
        << u"oldchain"_s << QStringList {u"-CAfile"_s, u"root"_s} << u"certificate_expired"_s
        << u"CN=Old Verdict Intermediate (a CA certificate in the chain"_s << u"Serve a current intermediate"_s;
    QTest::newRow("not yet valid") << u"future"_s << QStringList {u"-CAfile"_s, u"ca"_s} << u"bad_certificate"_s
                                   << u"this listener's own certificate) is valid from"_s << u"valid now"_s;
    QTest::newRow("no serverAuth") << u"clientpurpose"_s << QStringList {u"-CAfile"_s, u"ca"_s}
                                   << u"unsupported_certificate"_s << u"does not include serverAuth"_s
                                   << u"includes serverAuth"_s;
    QTest::newRow("name mismatch") << u"server"_s
                                   << QStringList {u"-CAfile"_s, u"ca"_s, u"-verify_hostname"_s, u"wrong.test"_s,
                                          u"-servername"_s, u"wrong.test"_s}
                                   << u"bad_certificate"_s << u"\"wrong.test\" (SNI)"_s << u"covering the name"_s;
}

void TestVerdicts::externalClientRejectsOurCertificate_cases()
{
    // openssl s_client with -verify_return_error sends the alert that matches its reason; the listener's verdict
    // names that alert and the facts about its own certificate that bear on it.
    QFETCH(QString, served);
    QFETCH(QStringList, clientOptions);
    QFETCH(QString, alert);
    QFETCH(QString, whyNeedle);
    QFETCH(QString, fixNeedle);
    const QHash<QString, std::pair<QString, QString>> files = {
        {u"leafonly"_s, {m_leafOnly, m_leafOnlyKey}},
        {u"expired"_s, {m_expired.certificate, m_expired.key}},
        {u"future"_s, {m_future.certificate, m_future.key}},
        {u"clientpurpose"_s, {m_clientPurpose.certificate, m_clientPurpose.key}},
        {u"server"_s, {m_server.certificate, m_server.key}},
    };
    auto identity = served == u"oldchain"
        ? CertificateIo::loadIdentity(m_oldIntermediateChain, m_oldIntermediateKey, {})
        : CertificateIo::loadIdentity(files.value(served).first, files.value(served).second, {});
    QVERIFY2(identity, qPrintable(identity.error()));
    if (served == u"oldchain") // leaf then its expired intermediate
        identity.value().chain += QSslCertificate::fromPath(m_oldIntermediate);
    ListenerConfig config;
    config.identity = identity.value();
    QVERIFY(startListener(config));
    for (QString &o : clientOptions)
        o = o == u"root" ? m_rootPem : o == u"ca" ? m_ca.certificate : o;
    PeerProcess client;
    QVERIFY(client.start(u"openssl"_s,
        QStringList {u"s_client"_s, u"-connect"_s, u"127.0.0.1:%1"_s.arg(m_port), u"-verify_return_error"_s}
            + clientOptions));
    const auto v = listenerVerdict();
    client.finish();
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"peer-rejected-certificate"_s);
    QCOMPARE(v->gaveUp, Verdict::Party::Client);
    QCOMPARE(v->side, Verdict::Party::Server);
    QVERIFY2(v->cause.contains(alert), qPrintable(v->cause));
    QVERIFY2(v->why.contains(whyNeedle), qPrintable(v->why));
    QVERIFY2(v->fix.contains(fixNeedle), qPrintable(v->fix));
}

void TestVerdicts::externalClientClosesWithoutAlert()
{
    // gnutls-cli, not trusting the certificate, gives up; whether it says why is up to it: the verdict must not
    // claim a certificate problem unless the client sent an alert that says so.
    QVERIFY(startListener({}));
    PeerProcess client;
    QVERIFY(client.start(u"gnutls-cli"_s, {u"127.0.0.1"_s, u"-p"_s, QString::number(m_port)}));
    const auto v = listenerVerdict();
    client.finish();
    QVERIFY(v);
    qInfo("observed: %s", qPrintable(v->causeCode)); // which truthful answer applies today
    QVERIFY2(v->causeCode == u"closed-during-handshake"_s || v->causeCode == u"peer-rejected-certificate"_s,
        qPrintable(v->causeCode));
    if (v->causeCode == u"closed-during-handshake") {
        QVERIFY(v->why.contains(u"cannot tell"_s));
    } else {
        QVERIFY(v->cause.contains(u"alert"_s));
        // GnuTLS says bad_certificate for a certificate it does not trust: the fact that bears on it is named.
        QVERIFY2(v->why.contains(u"self-signed (TLS Lab's development certificate)"_s), qPrintable(v->why));
        QVERIFY2(v->fix.contains(DevCertificate::certificatePath()), qPrintable(v->fix));
        QCOMPARE(v->side, Verdict::Party::Either);
    }
}

void TestVerdicts::curlAskingForAnotherName_data()
{
    QTest::addColumn<QString>("host");
    QTest::addColumn<bool>("noted");
    QTest::newRow("another name") << u"other.test"_s << true;
    QTest::newRow("a name the certificate covers") << u"localhost"_s << false;
}

void TestVerdicts::curlAskingForAnotherName()
{
    // curl checks the name only after the handshake, then closes without an alert: the listener sees a handshake
    // that worked and a client that said nothing. The name it asked for (SNI) is the fact worth a note.
    QFETCH(QString, host);
    QFETCH(bool, noted);
    QVERIFY(startListener({}));
    PeerProcess client;
    QVERIFY(client.start(u"curl"_s,
        {u"-sS"_s, u"-m"_s, u"5"_s, u"--cacert"_s, DevCertificate::certificatePath(), u"--resolve"_s,
            u"%1:%2:127.0.0.1"_s.arg(host).arg(m_port), u"https://%1:%2/"_s.arg(host).arg(m_port)}));
    client.finish();
    QVERIFY(QTest::qWaitFor(
        [this] {
            const QList<Session> sessions = m_timeline->sessions();
            return std::any_of(sessions.cbegin(), sessions.cend(),
                [](const Session &s) { return s.side == Side::Server && !s.isOpen(); });
        },
        10000));
    const auto v = listenerVerdict(noted ? 10000 : 500);
    if (!noted) {
        QVERIFY2(!v, qPrintable(v ? v->causeCode : QString())); // a healthy connection: nothing to say
        return;
    }
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"sni-not-covered"_s);
    QCOMPARE(v->kind, Verdict::Kind::Note);
    QVERIFY2(v->why.contains(u"\"other.test\" (SNI)"_s) && v->why.contains(u"closed right after the handshake"_s),
        qPrintable(v->why));
    QVERIFY2(v->fix.contains(u"covers \"other.test\""_s), qPrintable(v->fix));
}

void TestVerdicts::listenerProtocolMismatch_data()
{
    QTest::addColumn<int>("listenerProtocol");
    QTest::addColumn<QString>("clientVersion");
    QTest::addColumn<int>("mustChange");
    QTest::addColumn<QString>("fixNeedle");
    QTest::newRow("listener 1.3, client 1.2")
        << int(QSsl::TlsV1_3) << u"-tls1_2"_s << int(Verdict::Party::Client) << u"serve --tls 1.2+"_s;
    QTest::newRow("listener 1.2, client 1.3")
        << int(QSsl::TlsV1_2) << u"-tls1_3"_s << int(Verdict::Party::Server) << u"accept TLS 1.3"_s;
    // No setting of the listener accepts TLS 1.1: the fix is the client's alone.
    QTest::newRow("listener 1.2+, client 1.1")
        << int(QSsl::SecureProtocols) << u"-tls1_1"_s << int(Verdict::Party::Client) << u"Enable TLS 1.2 or 1.3"_s;
}

void TestVerdicts::listenerProtocolMismatch()
{
    QFETCH(int, listenerProtocol);
    QFETCH(QString, clientVersion);
    QFETCH(int, mustChange);
    QFETCH(QString, fixNeedle);
    ListenerConfig config;
    config.protocol = QSsl::SslProtocol(listenerProtocol);
    QVERIFY(startListener(config));
    PeerProcess client;
    QVERIFY(client.start(u"openssl"_s, {u"s_client"_s, u"-connect"_s, u"127.0.0.1:%1"_s.arg(m_port), clientVersion}));
    const auto v = listenerVerdict();
    client.finish();
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"protocol-version-mismatch"_s);
    QCOMPARE(int(v->side), mustChange);
    QVERIFY2(v->fix.contains(fixNeedle), qPrintable(v->fix));
}

void TestVerdicts::listenerNoSharedCipher()
{
    QVERIFY(startListener({})); // EC certificate: RSA-authenticated suites cannot be served
    PeerProcess client;
    QVERIFY(client.start(u"openssl"_s,
        {u"s_client"_s, u"-connect"_s, u"127.0.0.1:%1"_s.arg(m_port), u"-tls1_2"_s, u"-cipher"_s, u"AES128-SHA"_s}));
    const auto v = listenerVerdict();
    client.finish();
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"no-shared-cipher"_s);
    QVERIFY2(v->why.contains(u"EC certificate"_s), qPrintable(v->why));
    // What it offered, and why none of it fits: every suite needs an RSA certificate.
    QVERIFY2(v->why.contains(u"TLS_RSA_WITH_AES_128_CBC_SHA"_s), qPrintable(v->why));
    QVERIFY2(v->why.contains(u"authenticated with an RSA certificate"_s), qPrintable(v->why));
    QVERIFY2(v->fix.contains(u"--key-type rsa-2048"_s), qPrintable(v->fix));
}

void TestVerdicts::listenerNoSharedGroup()
{
    // A TLS 1.2 client offering only brainpoolP256r1, which OpenSSL's default groups (the listener's) leave out:
    // OpenSSL drops every ECDHE suite and says "no shared cipher"; the listener, having the client's groups, names
    // the groups.
    QVERIFY(startListener({}));
    PeerProcess client;
    QVERIFY(client.start(u"openssl"_s,
        {u"s_client"_s, u"-connect"_s, u"127.0.0.1:%1"_s.arg(m_port), u"-tls1_2"_s, u"-groups"_s,
            u"brainpoolP256r1"_s}));
    const auto v = listenerVerdict();
    client.finish();
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"no-shared-group"_s);
    QCOMPARE(v->failureClass(), Verdict::FailureClass::NoCommonParameters);
    QCOMPARE(v->side, Verdict::Party::Client);
    QVERIFY2(v->why.contains(u"offered the groups brainpoolP256r1;"_s), qPrintable(v->why)); // theirs
    QVERIFY2(v->why.contains(u"accepts x25519, secp256r1"_s), qPrintable(v->why)); // ours
    QVERIFY2(v->fix.contains(u"x25519"_s), qPrintable(v->fix));
}

void TestVerdicts::listenerClientCertificates_data()
{
    QTest::addColumn<QString>("version");
    QTest::addColumn<QString>("certificate"); // the client's: none, stranger, serverpurpose, expired
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("fixNeedle");
    const QString ca = u"CN=Verdict Test CA"_s; // the CA it must be issued by
    QTest::newRow("none, TLS 1.3") << u"-tls1_3"_s << u"none"_s << u"client-certificate-required"_s << ca;
    QTest::newRow("none, TLS 1.2") << u"-tls1_2"_s << u"none"_s << u"client-certificate-required"_s << ca;
    QTest::newRow("untrusted CA") << u"-tls1_3"_s << u"stranger"_s << u"client-certificate-untrusted"_s << ca;
    QTest::newRow("untrusted CA, TLS 1.2") << u"-tls1_2"_s << u"stranger"_s << u"client-certificate-untrusted"_s << ca;
    QTest::newRow("no clientAuth purpose")
        << u"-tls1_3"_s << u"serverpurpose"_s << u"client-certificate-invalid"_s << u"clientAuth"_s;
    QTest::newRow("expired") << u"-tls1_3"_s << u"expired"_s << u"client-certificate-invalid"_s
                             << u"a current certificate"_s;
}

void TestVerdicts::listenerClientCertificates()
{
    QFETCH(QString, version);
    QFETCH(QString, certificate);
    QFETCH(QString, code);
    QFETCH(QString, fixNeedle);
    ListenerConfig config;
    config.peerVerify = PeerVerify::Require;
    config.caCertificates = QSslCertificate::fromPath(m_ca.certificate);
    QVERIFY(startListener(config));
    QStringList args {u"s_client"_s, u"-connect"_s, u"127.0.0.1:%1"_s.arg(m_port), version};
    if (certificate == u"stranger")
        args << u"-cert"_s << m_strangerCert.certificate << u"-key"_s << m_strangerCert.key;
    else if (certificate == u"serverpurpose")
        args << u"-cert"_s << m_server.certificate << u"-key"_s << m_server.key; // trusted issuer, serverAuth only
    else if (certificate == u"expired")
        args << u"-cert"_s << m_expiredClient.certificate << u"-key"_s << m_expiredClient.key;
    PeerProcess client;
    QVERIFY(client.start(u"openssl"_s, args, "hello\n"));
    const auto v = listenerVerdict();
    client.finish();
    QVERIFY(v);
    QCOMPARE(v->causeCode, code);
    QCOMPARE(v->step, Verdict::Step::ClientCertificate);
    QVERIFY2(v->fix.contains(fixNeedle), qPrintable(v->fix));
    if (certificate == u"expired")
        QVERIFY2(v->why.contains(u"Expired client"_s) && v->why.contains(u"the clock here read"_s), qPrintable(v->why));
}

void TestVerdicts::listenerWeakClientCertificates_data()
{
    QTest::addColumn<QString>("certificate");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("whyNeedle");
    QTest::addColumn<QString>("fixNeedle");
    QTest::newRow("RSA 1024 key") << u"weak"_s << u"weak-key"_s << u"1024-bit RSA key"_s << u"stronger key"_s;
    QTest::newRow("SHA-1 signature") << u"sha1"_s << u"weak-signature"_s << u"sha1"_s << u"SHA-256"_s;
}

void TestVerdicts::listenerWeakClientCertificates()
{
    QFETCH(QString, certificate);
    QFETCH(QString, code);
    QFETCH(QString, whyNeedle);
    QFETCH(QString, fixNeedle);
    ListenerConfig config;
    config.peerVerify = PeerVerify::Require;
    config.caCertificates = QSslCertificate::fromPath(m_ca.certificate);
    QVERIFY(startListener(config));
    // s_client at security level 0 so that it will present the certificate at all; the listener keeps its default.
    const bool weakKey = certificate == u"weak";
    PeerProcess client;
    QVERIFY(client.start(u"openssl"_s,
        {u"s_client"_s, u"-connect"_s, u"127.0.0.1:%1"_s.arg(m_port), u"-cert"_s, weakKey ? m_weakClient : m_sha1Client,
            u"-key"_s, weakKey ? m_weakClientKey : m_sha1ClientKey, u"-cipher"_s, u"DEFAULT:@SECLEVEL=0"_s},
        "hello\n"));
    const auto v = listenerVerdict();
    client.finish();
    QVERIFY(v);
    QCOMPARE(v->causeCode, code);
    QCOMPARE(v->step, Verdict::Step::ClientCertificate);
    QCOMPARE(v->side, Verdict::Party::Client);
    QVERIFY2(v->why.contains(whyNeedle, Qt::CaseInsensitive), qPrintable(v->why));
    QVERIFY2(v->why.contains(u"security level"_s), qPrintable(v->why));
    QVERIFY2(v->fix.contains(fixNeedle), qPrintable(v->fix));
}

void TestVerdicts::alpnWithoutOverlap_listener()
{
    ListenerConfig config;
    config.alpnProtocols = {"http/1.1"};
    QVERIFY(startListener(config));
    PeerProcess client;
    QVERIFY(client.start(
        u"gnutls-cli"_s, {u"127.0.0.1"_s, u"-p"_s, QString::number(m_port), u"--insecure"_s, u"--alpn"_s, u"h2"_s}));
    const auto v = listenerVerdict();
    client.finish();
    QVERIFY(v);
    // The listener answers no_application_protocol, as openssl s_server does, and says why.
    QCOMPARE(v->causeCode, u"no-alpn-overlap"_s);
    QVERIFY2(v->why.contains(u"h2"_s), qPrintable(v->why)); // the client's offer
    QVERIFY2(v->fix.contains(u"--alpn"_s), qPrintable(v->fix));
}

void TestVerdicts::bothEndsInThisProcess()
{
    // Our client without a certificate against our listener that requires one, TLS 1.2: alone, the client would
    // only see a close; with the other end's facts both ends name the cause.
    ListenerConfig config;
    config.peerVerify = PeerVerify::Require;
    config.caCertificates = QSslCertificate::fromPath(m_ca.certificate);
    config.protocol = QSsl::TlsV1_2;
    QVERIFY(startListener(config));
    ClientConfig client;
    client.caCertificates = {m_listener->identity().chain.first()};
    const auto v = runClient(client);
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"client-certificate-required"_s);
    QVERIFY(v->fix.contains(u"CN=Verdict Test CA"_s));
    const auto server = listenerVerdict();
    QVERIFY(server);
    QCOMPARE(server->causeCode, u"client-certificate-required"_s);
}

void TestVerdicts::ourClientRejectsOurListener()
{
    // Our client does not trust the development certificate and closes without an alert (Qt's default): alone, the
    // listener could only say "closed during the handshake"; with the client's facts it names the cause.
    QVERIFY(startListener({}));
    ClientConfig client;
    client.useSystemCaCertificates = false;
    const auto v = runClient(client);
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"self-signed"_s);
    QTRY_VERIFY_WITH_TIMEOUT(listenerVerdict() && listenerVerdict()->causeCode == u"self-signed"_s, 5000);
    const auto server = listenerVerdict();
    QVERIFY2(server->cause.startsWith(u"the client rejected this listener's certificate"_s), qPrintable(server->cause));
    QVERIFY(server->why.contains(u"in this process"_s));
}

QTEST_GUILESS_MAIN(TestVerdicts)
#include "tst_verdicts.moc"
