// The verdict over recorded event sequences: the events are those the listener and the client record (same kinds,
// same detail keys), including the ambiguous sequences where the verdict must say what it does not know.
#include "certtestutil.h"
#include "model/certs/certificategenerator.h"
#include "model/diagnosis/diagnoser.h"
#include "model/diagnosis/diagnosis.h"
#include "model/timeline/timeline.h"
#include "model/tls/tlstext.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;

namespace {

Event ev(Side side, EventKind kind, const EventDetails &details = {}, const QString &summary = {})
{
    Event e;
    e.side = side;
    e.kind = kind;
    e.summary = summary;
    e.details = details;
    return e;
}

Event alert(Side side, bool sent, const QString &type)
{
    return ev(side, sent ? EventKind::AlertSent : EventKind::AlertReceived,
        EventDetails {{u"level", u"fatal"_s}, {u"type", type}, {u"code", 0}, {u"description", type}});
}

Event message(Side side, bool sent, const QString &type, const EventDetails &extra = {})
{
    EventDetails d = extra;
    d.insert(u"direction", sent ? u"sent"_s : u"received"_s);
    d.insert(u"type", type);
    return ev(side, EventKind::TlsMessage, d);
}

Session clientSession(SessionState state)
{
    Session s;
    s.id = 7;
    s.side = Side::Client;
    s.state = state;
    s.peerAddress = u"127.0.0.1"_s;
    s.peerPort = 4433;
    s.peerName = u"localhost"_s;
    s.startUs = nowUs() - 1000;
    s.endUs = nowUs();
    return s;
}

Session serverSession(SessionState state)
{
    Session s = clientSession(state);
    s.id = 8;
    s.side = Side::Server;
    s.peerName.clear();
    return s;
}

// The events our client records for a TLS connection up to the handshake.
QList<Event> clientStart(const QString &protocol = u"TLSv1.2 or later"_s, const QStringList &alpn = {})
{
    EventDetails d {{u"mode", u"tls"_s}, {u"target", u"127.0.0.1:4433"_s}, {u"server_name", u"localhost"_s},
        {u"protocol", protocol}};
    if (!alpn.isEmpty())
        d.insert(u"alpn", alpn);
    return {ev(Side::Client, EventKind::HandshakeStarted, d),
        ev(Side::Client, EventKind::TcpConnected, EventDetails {{u"peer", u"127.0.0.1:4433"_s}}),
        ev(Side::Client, EventKind::HandshakeStarted)};
}

Event failed(Side side, const QString &reason, const QString &error)
{
    return ev(side, EventKind::HandshakeFailed,
        EventDetails {{side == Side::Client ? u"error" : u"openssl", error}, {u"reason", reason}});
}

QList<Event> serverStart(const QStringList &versions = {u"TLS 1.3"_s, u"TLS 1.2"_s}, const QStringList &alpn = {})
{
    return {ev(Side::Server, EventKind::TcpAccepted),
        ev(Side::Server, EventKind::FirstBytes, EventDetails {{u"classification", u"tls-client-hello"_s}}),
        ev(Side::Server, EventKind::ClientHello,
            EventDetails {{u"sni", u"localhost"_s}, {u"alpn", alpn}, {u"versions", versions}, {u"cipher_suites", 31}}),
        ev(Side::Server, EventKind::HandshakeStarted)};
}

std::optional<Verdict> judge(const Session &s, const QList<Event> &events)
{
    DiagnosisInput in;
    in.session = s;
    in.events = events;
    return diagnose(in);
}

Identity make(CertificateProfile profile, const QString &cn, const std::optional<Identity> &issuer = {},
    const QDateTime &from = {}, const QDateTime &until = {}, const QString &eku = {})
{
    CertificateRequest r;
    r.profile = profile;
    r.subject.commonName = cn;
    if (profile == CertificateProfile::Server || profile == CertificateProfile::SelfSignedServer)
        r.subjectAltNames = {u"DNS:"_s + cn, u"IP:127.0.0.1"_s};
    r.issuer = issuer;
    r.notBefore = from;
    r.notAfter = until;
    r.extendedKeyUsage = eku;
    auto id = CertificateGenerator::generate(r);
    if (!id)
        qFatal("cannot make a test certificate: %s", qPrintable(id.error()));
    return id.value();
}

// A leaf signed with SHA-1 by a throwaway CA (the openssl tool: TLS Lab's generator makes none).
bool sha1Certificate(const QString &dir, QList<QSslCertificate> *leaf)
{
    const QString ca = dir + u"/ca.pem"_s, caKey = dir + u"/ca.key"_s, key = dir + u"/l.key"_s, csr = dir + u"/l.csr"_s,
                  pem = dir + u"/l.pem"_s;
    for (const QStringList &args : {
             QStringList {u"req"_s, u"-x509"_s, u"-newkey"_s, u"rsa:2048"_s, u"-nodes"_s, u"-keyout"_s, caKey,
                 u"-out"_s, ca, u"-subj"_s, u"/CN=Diag SHA-1 CA"_s, u"-days"_s, u"2"_s},
             QStringList {u"req"_s, u"-new"_s, u"-newkey"_s, u"rsa:2048"_s, u"-nodes"_s, u"-keyout"_s, key, u"-out"_s,
                 csr, u"-subj"_s, u"/CN=sha1.test"_s},
             QStringList {u"x509"_s, u"-req"_s, u"-in"_s, csr, u"-CA"_s, ca, u"-CAkey"_s, caKey, u"-set_serial"_s,
                 u"5"_s, u"-days"_s, u"2"_s, u"-sha1"_s, u"-out"_s, pem},
         }) {
        const auto run = TlsLab::Test::openssl(args);
        if (!run.ok()) {
            qWarning("%s", run.err.constData());
            return false;
        }
    }
    *leaf = QSslCertificate::fromPath(pem);
    return leaf->size() == 1;
}

} // namespace

class TestDiagnosis : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void healthyAndOpenSessionsHaveNoVerdict();
    void connectionRefused();
    void connectTimeout();
    void selfSigned();
    void missingIntermediateVersusUntrustedIssuer();
    void nameMismatch();
    void expiredLeafAndIntermediate();
    void notYetValid();
    void wrongPurpose();
    void weakKey();
    void weakSignature();
    void weakClientCertificate_server();
    void eventsWithoutCertificatesClaimOnlyTheCodes();
    void protocolVersionFromTheClient_data();
    void protocolVersionFromTheClient();
    void handshakeFailureAlone_isNotBlamedOnAnything();
    void handshakeFailureAfterCertificateRequest();
    void handshakeFailureBeforeServerHello();
    void certificateRequiredInTls13();
    void serverDistrustsOurCertificate();
    void noAlpnOverlap();
    void tlsToPlaintextPort();
    void closedAndResetDuringHandshake_client();
    void otherEndInThisProcessKnowsBetter();
    void plaintextToTlsPort_server();
    void silentClientAndHalfHello();
    void silentServerAndStalledAnswer_client();
    void closedWithoutAlert_server_mustNotBlameTheCertificate();
    void clientRejectsOurCertificate();
    void clientRejectsOurCertificate_chainFacts();
    void clientCertificateRequiredAndUntrusted_server();
    void protocolVersion_server();
    void noSharedCipher_server();
    void noSharedGroup_server();
    void notesForSessionsThatWorked();
    void plaintextClient();
    void verdictJsonAndClasses();
    void diagnoserStoresAndRecords();
    void listenerCertificateNotedOnce();
    void withoutHistory();
    void recordOverflow();

private:
    Identity m_ca, m_intermediate, m_leaf, m_selfSigned, m_expiredLeaf, m_expiredIntermediate, m_futureLeaf,
        m_clientOnly, m_soonExpiring;
};

void TestDiagnosis::initTestCase()
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    m_ca = make(CertificateProfile::CertificateAuthority, u"Diag Root CA"_s);
    m_intermediate = make(CertificateProfile::IntermediateCa, u"Diag Intermediate CA"_s, m_ca);
    m_leaf = make(CertificateProfile::Server, u"localhost"_s, m_intermediate);
    m_selfSigned = make(CertificateProfile::SelfSignedServer, u"localhost"_s);
    m_expiredLeaf = make(CertificateProfile::Server, u"localhost"_s, m_ca, now.addDays(-30), now.addDays(-3));
    m_expiredIntermediate
        = make(CertificateProfile::IntermediateCa, u"Old Intermediate"_s, m_ca, now.addDays(-30), now.addDays(-2));
    m_futureLeaf = make(CertificateProfile::Server, u"localhost"_s, m_ca, now.addDays(5), now.addDays(50));
    m_clientOnly
        = make(CertificateProfile::Server, u"localhost"_s, m_ca, {}, {}, u"clientAuth"_s); // no serverAuth purpose
    m_soonExpiring = make(CertificateProfile::Server, u"localhost"_s, m_ca, now.addDays(-10), now.addDays(10));
}

void TestDiagnosis::healthyAndOpenSessionsHaveNoVerdict()
{
    Session s = clientSession(SessionState::Closed);
    s.protocol = u"TLSv1.3"_s;
    s.peerChain = m_leaf.chain;
    QList<Event> events = clientStart();
    events.append(ev(Side::Client, EventKind::Encrypted, EventDetails {{u"protocol", u"TLSv1.3"_s}}));
    events.append(ev(Side::Client, EventKind::Closed));
    QVERIFY(!judge(s, events));

    Session open = clientSession(SessionState::Handshaking);
    open.endUs = 0;
    QVERIFY(!judge(open, clientStart()));
}

void TestDiagnosis::connectionRefused()
{
    Session s = clientSession(SessionState::Failed);
    QList<Event> events = {clientStart().first(),
        ev(Side::Client, EventKind::SocketError,
            EventDetails {{u"reason", u"connection refused: nothing is listening on 127.0.0.1:4433"_s},
                {u"error", u"Connection refused"_s}})};
    const auto v = judge(s, events);
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"connection-refused"_s);
    QCOMPARE(v->step, Verdict::Step::TcpConnect);
    QCOMPARE(v->failureClass(), Verdict::FailureClass::Unreachable);
    QVERIFY(v->cause.contains(u"127.0.0.1:4433"_s));
}

void TestDiagnosis::connectTimeout()
{
    Session s = clientSession(SessionState::Failed);
    const auto v
        = judge(s, {clientStart().first(), ev(Side::Client, EventKind::Timeout, EventDetails {{u"timeout_ms", 3000}})});
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"connect-timeout"_s);
    QCOMPARE(v->failureClass(), Verdict::FailureClass::Timeout);
}

void TestDiagnosis::selfSigned()
{
    Session s = clientSession(SessionState::Failed);
    const QSslCertificate cert = m_selfSigned.chain.first();
    s.verifyErrors = {QSslError(QSslError::SelfSignedCertificate, cert)};
    QList<Event> events = clientStart();
    events.append(ev(Side::Client, EventKind::VerifyError, EventDetails {{u"error", u"self-signed"_s}}));
    events.append(failed(Side::Client, u"certificate verification failed"_s, {}));
    const auto v = judge(s, events);
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"self-signed"_s);
    QCOMPARE(v->step, Verdict::Step::Certificate);
    QCOMPARE(v->gaveUp, Verdict::Party::Client);
    QVERIFY(v->fix.contains(u"--ca FILE"_s));
    QCOMPARE(v->failureClass(), Verdict::FailureClass::CertificateNotTrusted);
}

void TestDiagnosis::missingIntermediateVersusUntrustedIssuer()
{
    // The server sent the leaf alone: OpenSSL cannot even build a chain (error 21).
    Session s = clientSession(SessionState::Failed);
    s.verifyErrors = {QSslError(QSslError::UnableToVerifyFirstCertificate, m_leaf.chain.first())};
    auto v = judge(s, clientStart() << failed(Side::Client, u"certificate verification failed"_s, {}));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"missing-intermediate"_s);
    QVERIFY2(v->why.contains(u"CN=Diag Intermediate CA"_s), qPrintable(v->why));
    QVERIFY(v->fix.contains(u"full chain: leaf then intermediate"_s));
    QCOMPARE(v->side, Verdict::Party::Server);

    // The same leaf alone, when OpenSSL had a CA directory to search (the system's): error 20 on the leaf.
    s.peerChain = {m_leaf.chain.first()};
    s.verifyErrors = {QSslError(QSslError::UnableToGetLocalIssuerCertificate, m_leaf.chain.first())};
    v = judge(s, clientStart() << failed(Side::Client, u"certificate verification failed"_s, {}));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"missing-intermediate"_s);
    QVERIFY2(v->why.contains(u"CN=Diag Intermediate CA"_s), qPrintable(v->why));

    // The server sent leaf and intermediate; the root is simply not trusted here (error 20).
    s.peerChain = {m_leaf.chain.first(), m_intermediate.chain.first()};
    s.verifyErrors = {QSslError(QSslError::UnableToGetLocalIssuerCertificate, m_intermediate.chain.first())};
    v = judge(s, clientStart() << failed(Side::Client, u"certificate verification failed"_s, {}));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"untrusted-issuer"_s);
    QVERIFY2(v->why.contains(u"CN=Diag Root CA"_s), qPrintable(v->why));
    QVERIFY(v->fix.contains(u"--ca FILE"_s));

    // A chain ending in a self-signed root that is not trusted (error 19) is an untrusted issuer too.
    s.verifyErrors = {QSslError(QSslError::SelfSignedCertificateInChain, m_ca.chain.first())};
    v = judge(s, clientStart());
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"untrusted-issuer"_s);
}

void TestDiagnosis::nameMismatch()
{
    Session s = clientSession(SessionState::Failed);
    s.peerName = u"example.test"_s;
    s.verifyErrors = {QSslError(QSslError::HostNameMismatch, m_leaf.chain.first())};
    const auto v = judge(s, clientStart());
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"name-mismatch"_s);
    QVERIFY2(v->why.contains(u"\"example.test\""_s), qPrintable(v->why));
    QVERIFY2(v->why.contains(u"localhost"_s) && v->why.contains(u"127.0.0.1"_s), qPrintable(v->why));
    QVERIFY(v->fix.contains(u"--servername"_s));
}

void TestDiagnosis::expiredLeafAndIntermediate()
{
    Session s = clientSession(SessionState::Failed);
    const QSslCertificate leaf = m_expiredLeaf.chain.first();
    s.verifyErrors = {QSslError(QSslError::CertificateExpired, leaf)};
    auto v = judge(s, clientStart());
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"expired"_s);
    const QString expiry = leaf.expiryDate().toUTC().toString(u"yyyy-MM-dd"_s);
    QVERIFY2(v->fix.startsWith(u"Renew the certificate; it expired on "_s + expiry), qPrintable(v->fix));
    QVERIFY(v->why.contains(u"the clock here read"_s));

    s.verifyErrors = {QSslError(QSslError::CertificateExpired, m_expiredIntermediate.chain.first())};
    v = judge(s, clientStart());
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"intermediate-expired"_s);
    QVERIFY(v->why.contains(u"CN=Old Intermediate"_s));
}

void TestDiagnosis::notYetValid()
{
    Session s = clientSession(SessionState::Failed);
    s.verifyErrors = {QSslError(QSslError::CertificateNotYetValid, m_futureLeaf.chain.first())};
    const auto v = judge(s, clientStart());
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"not-yet-valid"_s);
    QVERIFY(v->why.contains(m_futureLeaf.chain.first().effectiveDate().toUTC().toString(u"yyyy-MM-dd"_s)));
}

void TestDiagnosis::wrongPurpose()
{
    Session s = clientSession(SessionState::Failed);
    s.verifyErrors = {QSslError(QSslError::InvalidPurpose, m_clientOnly.chain.first())};
    const auto v = judge(s, clientStart());
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"wrong-purpose"_s);
    QVERIFY2(v->why.contains(u"TLS Web Client Authentication"_s), qPrintable(v->why));
}

void TestDiagnosis::weakKey()
{
    QTemporaryDir dir;
    const auto run = TlsLab::Test::openssl(
        {u"req"_s, u"-x509"_s, u"-newkey"_s, u"rsa:1024"_s, u"-nodes"_s, u"-keyout"_s, dir.filePath(u"k.pem"_s),
            u"-out"_s, dir.filePath(u"c.pem"_s), u"-subj"_s, u"/CN=weak.test"_s, u"-days"_s, u"2"_s});
    QVERIFY2(run.ok(), run.err.constData());
    const auto certs = QSslCertificate::fromPath(dir.filePath(u"c.pem"_s));
    QCOMPARE(certs.size(), 1);
    Session s = clientSession(SessionState::Failed);
    // Qt has no name for OpenSSL's "EE key too small": it arrives as an unspecified error about the certificate.
    s.verifyErrors = {QSslError(QSslError::UnspecifiedError, certs.first())};
    const auto v = judge(s, clientStart());
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"weak-key"_s);
    QVERIFY2(v->why.contains(u"1024-bit RSA"_s) && v->why.contains(u"security level"_s), qPrintable(v->why));
}

void TestDiagnosis::weakSignature()
{
    QTemporaryDir dir;
    QList<QSslCertificate> sha1Leaf;
    QVERIFY(sha1Certificate(dir.path(), &sha1Leaf));
    Session s = clientSession(SessionState::Failed);
    // OpenSSL's "CA signature digest algorithm too weak" has no Qt name either.
    s.verifyErrors = {QSslError(QSslError::UnspecifiedError, sha1Leaf.first())};
    auto v = judge(s, clientStart());
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"weak-signature"_s);
    QVERIFY2(v->why.contains(u"sha1WithRSAEncryption"_s) && v->why.contains(u"security level"_s), qPrintable(v->why));
    QVERIFY(v->fix.contains(u"SHA-256"_s));

    // An unnamed error about a certificate that is not weak: no cause is made up.
    s.verifyErrors = {QSslError(QSslError::UnspecifiedError, m_leaf.chain.first())};
    v = judge(s, clientStart());
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"certificate-invalid"_s);
}

void TestDiagnosis::weakClientCertificate_server()
{
    QTemporaryDir dir;
    QList<QSslCertificate> sha1Leaf;
    QVERIFY(sha1Certificate(dir.path(), &sha1Leaf));
    Session s = serverSession(SessionState::Failed);
    s.trustAnchors = m_ca.chain;
    s.systemTrust = false;
    s.verifyErrors = {QSslError(QSslError::UnspecifiedError, sha1Leaf.first())};
    // As the listener records the tap's verification: OpenSSL's code beside Qt's unnamed error.
    auto verifyError = [](int x509) {
        return ev(Side::Server, EventKind::VerifyError,
            EventDetails {{u"error", u"unspecified"_s}, {u"x509_error", x509}, {u"depth", 0}});
    };
    auto v = judge(s, serverStart() << verifyError(68) << failed(Side::Server, u"x"_s, u"certificate verify failed"_s));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"weak-signature"_s);
    QCOMPARE(v->step, Verdict::Step::ClientCertificate);
    QCOMPARE(v->side, Verdict::Party::Client);
    QVERIFY2(v->why.contains(u"sha1WithRSAEncryption"_s) && v->why.contains(u"security level"_s), qPrintable(v->why));

    // OpenSSL named another reason (here: the certificate was revoked): the weak digest is not blamed.
    v = judge(s, serverStart() << verifyError(23) << failed(Side::Server, u"x"_s, u"certificate verify failed"_s));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"client-certificate-invalid"_s); // not "weak", not "untrusted": what it knows
}

void TestDiagnosis::eventsWithoutCertificatesClaimOnlyTheCodes()
{
    Session s = clientSession(SessionState::Failed);
    QList<Event> events = clientStart();
    events.append(ev(Side::Client, EventKind::VerifyError, EventDetails {{u"error", u"unknown-issuer"_s}}));
    const auto v = judge(s, events);
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"certificate-invalid"_s);
    QVERIFY(v->why.contains(u"unknown-issuer"_s));
}

void TestDiagnosis::protocolVersionFromTheClient_data()
{
    QTest::addColumn<QString>("offered");
    QTest::addColumn<QString>("fixNeedle");
    QTest::newRow("client 1.3 only") << u"TLSv1.3"_s << u"--tls 1.2+"_s;
    QTest::newRow("client 1.2 only") << u"TLSv1.2"_s << u"--tls 1.2+"_s;
    QTest::newRow("client 1.2+") << u"TLSv1.2 or later"_s << u"server must change"_s;
}

void TestDiagnosis::protocolVersionFromTheClient()
{
    QFETCH(QString, offered);
    QFETCH(QString, fixNeedle);
    Session s = clientSession(SessionState::Failed);
    const auto v = judge(s,
        clientStart(offered) << alert(Side::Client, false, u"protocol_version"_s)
                             << failed(Side::Client, u"no TLS version in common"_s, u"tlsv1 alert protocol version"_s));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"protocol-version-mismatch"_s);
    QVERIFY(v->why.contains(offered));
    QVERIFY2(v->fix.contains(fixNeedle), qPrintable(v->fix));
    QCOMPARE(v->failureClass(), Verdict::FailureClass::NoCommonParameters);
}

void TestDiagnosis::handshakeFailureAlone_isNotBlamedOnAnything()
{
    // TLS 1.2, no tap: handshake_failure is what OpenSSL sends both for "no shared cipher" and for "no client
    // certificate". With nothing else recorded, the verdict must not pick one.
    Session s = clientSession(SessionState::Failed);
    const auto v = judge(s,
        clientStart() << alert(Side::Client, false, u"handshake_failure"_s)
                      << failed(Side::Client, u"x"_s, u"sslv3 alert handshake failure"_s));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"peer-aborted-handshake"_s);
    QCOMPARE(v->side, Verdict::Party::Unknown);
    QVERIFY(v->why.contains(u"cannot tell"_s));
}

void TestDiagnosis::handshakeFailureAfterCertificateRequest()
{
    Session s = clientSession(SessionState::Failed);
    QList<Event> events = clientStart();
    events << message(Side::Client, true, u"ClientHello"_s) << message(Side::Client, false, u"ServerHello"_s)
           << message(Side::Client, false, u"Certificate"_s)
           << message(Side::Client, false, u"CertificateRequest"_s,
                  EventDetails {{u"certificate_authorities", QStringList {u"CN=Clients CA"_s}}})
           << message(Side::Client, true, u"Certificate"_s) << alert(Side::Client, false, u"handshake_failure"_s);
    const auto v = judge(s, events);
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"client-certificate-required"_s);
    QCOMPARE(v->step, Verdict::Step::ClientCertificate);
    QVERIFY(v->fix.contains(u"--cert FILE --key FILE"_s));
    QVERIFY(v->fix.contains(u"CN=Clients CA"_s));
}

void TestDiagnosis::handshakeFailureBeforeServerHello()
{
    Session s = clientSession(SessionState::Failed);
    const auto v = judge(s,
        clientStart() << message(Side::Client, true, u"ClientHello"_s,
            EventDetails {{u"versions", QStringList {u"TLSv1.2"_s}},
                {u"cipher_suites", QStringList {u"ECDHE-RSA-AES128-GCM-SHA256"_s}},
                {u"groups", QStringList {u"x25519"_s}}})
                      << alert(Side::Client, false, u"handshake_failure"_s));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"no-shared-parameters"_s);
    QVERIFY2(v->why.contains(u"cipher suites ECDHE-RSA-AES128-GCM-SHA256; groups x25519"_s), qPrintable(v->why));
    QVERIFY(v->why.contains(u"before any ServerHello"_s));
}

void TestDiagnosis::certificateRequiredInTls13()
{
    Session s = clientSession(SessionState::Failed);
    QList<Event> events = clientStart(u"TLSv1.3"_s);
    events << ev(Side::Client, EventKind::Encrypted, EventDetails {{u"protocol", u"TLSv1.3"_s}})
           << alert(Side::Client, false, u"certificate_required"_s) << ev(Side::Client, EventKind::Closed);
    const auto v = judge(s, events);
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"client-certificate-required"_s);
    QCOMPARE(v->failureClass(), Verdict::FailureClass::PeerRefusedUs);
}

void TestDiagnosis::serverDistrustsOurCertificate()
{
    Session s = clientSession(SessionState::Failed);
    auto v = judge(s, clientStart() << alert(Side::Client, false, u"unknown_ca"_s));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"client-certificate-untrusted"_s);
    // A server's certificate alert is about our certificate, never about its own.
    QVERIFY(v->why.contains(u"client's certificate"_s));
    v = judge(s, clientStart() << alert(Side::Client, false, u"bad_certificate"_s));
    QCOMPARE(v->causeCode, u"peer-rejected-certificate"_s);
}

void TestDiagnosis::noAlpnOverlap()
{
    Session s = clientSession(SessionState::Failed);
    const auto v
        = judge(s, clientStart(u"TLSv1.3"_s, {u"h2"_s}) << alert(Side::Client, false, u"no_application_protocol"_s));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"no-alpn-overlap"_s);
    QVERIFY(v->why.contains(u"h2"_s));
    QVERIFY(v->fix.contains(u"--alpn"_s));

    Session server = serverSession(SessionState::Failed);
    const auto w = judge(server,
        serverStart({u"TLS 1.3"_s}, {u"h2"_s}) << alert(Side::Server, true, u"no_application_protocol"_s)
                                               << failed(Side::Server, u"x"_s, u"no application protocol"_s));
    QVERIFY(w);
    QCOMPARE(w->causeCode, u"no-alpn-overlap"_s);
    QVERIFY(w->why.contains(u"h2"_s));
}

void TestDiagnosis::tlsToPlaintextPort()
{
    Session s = clientSession(SessionState::Failed);
    const auto v = judge(s,
        clientStart() << failed(Side::Client, u"the peer did not speak TLS (or an unsupported version)"_s,
            u"error:0A00010B:SSL routines::wrong version number"_s));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"tls-to-plaintext-port"_s);
    QVERIFY(v->fix.contains(u"--plaintext"_s));
    QCOMPARE(v->failureClass(), Verdict::FailureClass::NotTls);
}

void TestDiagnosis::closedAndResetDuringHandshake_client()
{
    Session s = clientSession(SessionState::Failed);
    auto v = judge(s,
        clientStart() << failed(Side::Client, u"the server closed the connection during the handshake"_s,
            u"The remote host closed the connection"_s));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"closed-during-handshake"_s);
    QCOMPARE(v->side, Verdict::Party::Unknown); // it does not know who must change
    QVERIFY(v->step != Verdict::Step::Certificate);

    QVERIFY2(v->why.contains(u"(FIN)"_s), qPrintable(v->why));

    v = judge(s,
        clientStart() << ev(Side::Client, EventKind::Reset,
            EventDetails {{u"reason", u"network error: Connection reset by peer"_s}, {u"error", u"reset"_s}}));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"reset-during-handshake"_s);

    // As our client records a reset Qt reported as a close: a reset event, then the failure.
    v = judge(s,
        clientStart() << ev(Side::Client, EventKind::Reset,
            EventDetails {{u"reason", u"the server reset the connection during the handshake"_s}},
            u"Connection reset by the server during the handshake"_s)
                      << failed(Side::Client, u"the server reset the connection during the handshake"_s,
                             u"The remote host closed the connection"_s));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"reset-during-handshake"_s);
    QCOMPARE(v->gaveUp, Verdict::Party::Server);
    QVERIFY2(v->why.contains(u"(RST)"_s), qPrintable(v->why));
    QVERIFY(v->step != Verdict::Step::Certificate);
}

void TestDiagnosis::otherEndInThisProcessKnowsBetter()
{
    // Our client without a certificate against our listener that requires one (TLS 1.2): the client alone sees a
    // close; the listener knows it was the missing certificate.
    Session client = clientSession(SessionState::Failed);
    Session server = serverSession(SessionState::Failed);
    server.trustAnchors = m_ca.chain;
    server.systemTrust = false;
    server.verifyErrors = {QSslError(QSslError::NoPeerCertificate)};
    client.linkedSession = server.id;
    server.linkedSession = client.id;
    DiagnosisInput in;
    in.session = client;
    in.events = clientStart() << failed(
                    Side::Client, u"the server closed the connection during the handshake"_s, u"closed"_s);
    in.other = server;
    in.otherEvents
        = serverStart() << ev(Side::Server, EventKind::VerifyError, EventDetails {{u"error", u"no-peer-certificate"_s}})
                        << failed(Side::Server, u"the client sent no certificate"_s,
                               u"peer did not return a certificate"_s);
    const auto v = diagnose(in);
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"client-certificate-required"_s);
    QVERIFY(v->why.contains(u"session #8"_s));
    QVERIFY(v->fix.contains(u"CN=Diag Root CA"_s));

    // Without the other end the same client events stay vague.
    in.other.reset();
    QCOMPARE(diagnose(in)->causeCode, u"closed-during-handshake"_s);
}

void TestDiagnosis::plaintextToTlsPort_server()
{
    Session s = serverSession(SessionState::Refused);
    const QList<Event> events = {ev(Side::Server, EventKind::TcpAccepted),
        ev(Side::Server, EventKind::FirstBytes,
            EventDetails {{u"classification", u"http"_s}, {u"method", u"GET"_s}, {u"target", u"/index.html"_s}}),
        ev(Side::Server, EventKind::PlaintextRefused,
            EventDetails {{u"reason", u"plaintext HTTP"_s}, {u"answered", u"HTTP 400"_s}})};
    auto v = judge(s, events);
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"plaintext-to-tls-port"_s);
    QVERIFY(v->why.contains(u"GET /index.html"_s));
    QVERIFY(v->fix.contains(u"https://"_s));
    QCOMPARE(v->side, Verdict::Party::Client);

    const QList<Event> smtp = {ev(Side::Server, EventKind::TcpAccepted),
        ev(Side::Server, EventKind::FirstBytes,
            EventDetails {
                {u"classification", u"plaintext"_s}, {u"preview", u"EHLO x\\r\\n"_s}, {u"hex", u"45 48 4c 4f"_s}}),
        ev(Side::Server, EventKind::PlaintextRefused, EventDetails {{u"reason", u"plaintext"_s}})};
    v = judge(s, smtp);
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"plaintext-to-tls-port"_s);
    QVERIFY(v->why.contains(u"EHLO"_s));
    QVERIFY(!v->fix.contains(u"https://"_s));
}

void TestDiagnosis::silentClientAndHalfHello()
{
    Session s = serverSession(SessionState::Failed);
    auto v = judge(s,
        {ev(Side::Server, EventKind::TcpAccepted),
            ev(Side::Server, EventKind::Timeout, EventDetails {{u"timeout_ms", 500}, {u"bytes", 0}})});
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"silent-peer"_s);
    QCOMPARE(v->step, Verdict::Step::FirstBytes);
    v = judge(s,
        {ev(Side::Server, EventKind::TcpAccepted),
            ev(Side::Server, EventKind::Timeout, EventDetails {{u"timeout_ms", 500}, {u"bytes", 3}})});
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"handshake-timeout"_s);
    QVERIFY(v->why.contains(u"3 byte(s)"_s));
}

void TestDiagnosis::silentServerAndStalledAnswer_client()
{
    Session s = clientSession(SessionState::Failed);
    const Event hello = message(Side::Client, true, u"ClientHello"_s);
    auto timeout = [](qint64 bytes) {
        return ev(Side::Client, EventKind::Timeout, EventDetails {{u"timeout_ms", 800}, {u"bytes", bytes}});
    };
    auto v = judge(s, clientStart() << hello << timeout(0));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"silent-peer"_s);
    // Some bytes, no whole message: not silence.
    v = judge(s, clientStart() << hello << timeout(7));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"handshake-timeout"_s);
    QVERIFY2(v->why.contains(u"7 byte(s)"_s), qPrintable(v->why));
    // Without the tap nothing is known about what came back.
    v = judge(s, clientStart() << ev(Side::Client, EventKind::Timeout, EventDetails {{u"timeout_ms", 800}}));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"handshake-timeout"_s);
    QVERIFY2(v->why.contains(u"not recorded"_s), qPrintable(v->why));
}

void TestDiagnosis::closedWithoutAlert_server_mustNotBlameTheCertificate()
{
    Session s = serverSession(SessionState::Failed);
    const auto v = judge(s,
        serverStart() << failed(Side::Server,
            u"the client closed the connection during the handshake (it may not trust the certificate)"_s,
            u"The remote host closed the connection"_s));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"closed-during-handshake"_s);
    QCOMPARE(v->side, Verdict::Party::Unknown);
    QVERIFY(v->why.contains(u"cannot tell"_s));

    // Stopping the listener mid-handshake is not the client's doing.
    const auto stopped = judge(
        s, serverStart() << ev(Side::Server, EventKind::Closed, {}, u"Connection closed by the listener (stopping)"_s));
    QVERIFY(stopped);
    QCOMPARE(stopped->causeCode, u"listener-stopped"_s);
}

void TestDiagnosis::clientRejectsOurCertificate()
{
    Session s = serverSession(SessionState::Failed);
    s.peerName = u"other.test"_s;
    DiagnosisInput in;
    in.session = s;
    in.events = serverStart() << alert(Side::Server, false, u"unknown_ca"_s)
                              << failed(Side::Server, u"aborted"_s, u"tlsv1 alert unknown ca"_s);
    in.localChain = m_leaf.chain;
    const auto v = diagnose(in);
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"peer-rejected-certificate"_s);
    QCOMPARE(v->gaveUp, Verdict::Party::Client);
    QVERIFY2(v->why.contains(u"CN=localhost (issued by CN=Diag Intermediate CA)"_s), qPrintable(v->why));
    QVERIFY2(v->why.contains(u"\"other.test\""_s), qPrintable(v->why)); // the SNI the certificate does not cover
    QVERIFY(v->fix.contains(u"-CAfile"_s));
}

void TestDiagnosis::clientRejectsOurCertificate_chainFacts()
{
    Session s = serverSession(SessionState::Failed);
    auto judgeAlert = [&s](const QString &type, const QList<QSslCertificate> &chain) {
        DiagnosisInput in;
        in.session = s;
        in.events = serverStart() << alert(Side::Server, false, type);
        in.localChain = chain;
        return diagnose(in);
    };
    // The leaf served alone: named as a fact, with the full chain as the fix for unknown_ca.
    auto v = judgeAlert(u"unknown_ca"_s, {m_leaf.chain.first()});
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"peer-rejected-certificate"_s);
    QVERIFY2(v->why.contains(u"without its issuer CN=Diag Intermediate CA"_s), qPrintable(v->why));
    QVERIFY2(v->fix.contains(u"leaf then intermediate"_s), qPrintable(v->fix));
    // The whole chain served: no such claim.
    v = judgeAlert(u"unknown_ca"_s, m_leaf.chain);
    QVERIFY(v);
    QVERIFY2(!v->why.contains(u"without its issuer"_s), qPrintable(v->why));

    // certificate_expired: which certificate of the served chain is out of date.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const Identity underOld
        = make(CertificateProfile::Server, u"localhost"_s, m_expiredIntermediate, now.addDays(-20), now.addDays(20));
    v = judgeAlert(u"certificate_expired"_s, underOld.chain);
    QVERIFY(v);
    QVERIFY2(v->why.contains(u"CN=Old Intermediate (a CA certificate in the chain"_s), qPrintable(v->why));
    QVERIFY2(v->fix.contains(u"Serve a current intermediate"_s), qPrintable(v->fix));
    // Nothing out of date here: it does not invent one, and points at the client's clock.
    v = judgeAlert(u"certificate_expired"_s, m_leaf.chain);
    QVERIFY(v);
    QVERIFY2(v->why.contains(u"within its dates"_s), qPrintable(v->why));
    QVERIFY2(v->fix.contains(u"client's clock"_s), qPrintable(v->fix));

    // bad_certificate about a certificate not valid yet (OpenSSL's alert for that): its dates, and the fix.
    v = judgeAlert(u"bad_certificate"_s, m_futureLeaf.chain);
    QVERIFY(v);
    QVERIFY2(v->why.contains(u"this listener's own certificate) is valid from"_s), qPrintable(v->why));
    QVERIFY2(v->fix.contains(u"valid now"_s), qPrintable(v->fix));
    // unsupported_certificate about a certificate without serverAuth.
    v = judgeAlert(u"unsupported_certificate"_s, m_clientOnly.chain);
    QVERIFY(v);
    QVERIFY2(v->why.contains(u"does not include serverAuth"_s), qPrintable(v->why));
    QVERIFY2(v->fix.contains(u"--profile server"_s), qPrintable(v->fix));
    // The same alert about a certificate that has serverAuth: no such claim.
    v = judgeAlert(u"unsupported_certificate"_s, m_leaf.chain);
    QVERIFY(v);
    QVERIFY2(!v->why.contains(u"serverAuth"_s), qPrintable(v->why));
}

void TestDiagnosis::clientCertificateRequiredAndUntrusted_server()
{
    Session s = serverSession(SessionState::Failed);
    s.trustAnchors = m_ca.chain;
    s.systemTrust = false;
    s.verifyErrors = {QSslError(QSslError::NoPeerCertificate)};
    auto v = judge(s, serverStart() << failed(Side::Server, u"no cert"_s, u"peer did not return a certificate"_s));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"client-certificate-required"_s);
    QVERIFY(v->why.contains(u"CN=Diag Root CA"_s));

    s.verifyErrors = {QSslError(QSslError::SelfSignedCertificate, m_selfSigned.chain.first())};
    v = judge(s, serverStart());
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"client-certificate-untrusted"_s);
    QVERIFY(v->fix.contains(u"CN=Diag Root CA"_s));
}

void TestDiagnosis::protocolVersion_server()
{
    Session s = serverSession(SessionState::Failed);
    auto v = judge(s,
        serverStart({u"TLS 1.2"_s}) << alert(Side::Server, true, u"protocol_version"_s)
                                    << failed(Side::Server, u"x"_s, u"unsupported protocol"_s));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"protocol-version-mismatch"_s);
    QCOMPARE(v->side, Verdict::Party::Client); // the client is the outdated one
    v = judge(s, serverStart({u"TLS 1.3"_s}) << alert(Side::Server, true, u"protocol_version"_s));
    QCOMPARE(v->side, Verdict::Party::Server);
    QVERIFY(v->fix.contains(u"--tls"_s));
}

void TestDiagnosis::noSharedCipher_server()
{
    Session s = serverSession(SessionState::Failed);
    const auto v = judge(s,
        serverStart({u"TLS 1.2"_s}) << alert(Side::Server, true, u"handshake_failure"_s)
                                    << failed(
                                           Side::Server, u"x"_s, u"error:0A0000C1:SSL routines::no shared cipher"_s));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"no-shared-cipher"_s);
    QVERIFY(v->why.contains(u"31 cipher suite(s)"_s));
}

void TestDiagnosis::noSharedGroup_server()
{
    Session s = serverSession(SessionState::Failed);
    auto withGroups = [](const QStringList &groups) {
        QList<Event> events = serverStart({u"TLS 1.2"_s});
        events[2].details.insert(u"groups", groups);
        return events << alert(Side::Server, true, u"handshake_failure"_s)
                      << failed(Side::Server, u"x"_s, u"error:0A0000C1:SSL routines::no shared cipher"_s);
    };
    // Only a group OpenSSL's defaults leave out: OpenSSL's "no shared cipher" is about the group.
    auto v = judge(s, withGroups({u"brainpoolP256r1"_s}));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"no-shared-group"_s);
    QCOMPARE(v->side, Verdict::Party::Client);
    QVERIFY2(v->why.contains(u"offered the groups brainpoolP256r1;"_s), qPrintable(v->why));
    QVERIFY2(v->why.contains(u"x25519"_s), qPrintable(v->why)); // the groups this end accepts

    // A group in common: not a group problem, whatever else the client offered.
    v = judge(s, withGroups({u"brainpoolP256r1"_s, u"x25519"_s}));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"no-shared-cipher"_s);

    // No groups at all (a client offering only RSA key exchange sends none): nothing to mismatch.
    v = judge(s, withGroups({}));
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"no-shared-cipher"_s);
}

void TestDiagnosis::notesForSessionsThatWorked()
{
    Session s = clientSession(SessionState::Closed);
    s.protocol = u"TLSv1.3"_s;
    s.peerChain = m_soonExpiring.chain;
    QList<Event> events = clientStart();
    events << ev(Side::Client, EventKind::Encrypted) << ev(Side::Client, EventKind::Closed);
    auto v = judge(s, events);
    QVERIFY(v);
    QCOMPARE(v->kind, Verdict::Kind::Note);
    QCOMPARE(v->causeCode, u"expires-soon"_s);
    QCOMPARE(v->failureClass(), Verdict::FailureClass::Other);

    s.peerChain = m_intermediate.chain; // a CA certificate served as the server's own
    v = judge(s, events);
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"ca-as-server-certificate"_s);

    s.peerChain = m_leaf.chain;
    s.protocol = u"TLSv1.2"_s;
    events[3] = ev(Side::Client, EventKind::Encrypted, EventDetails {{u"extended_master_secret", false}});
    v = judge(s, events);
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"no-extended-master-secret"_s);

    // TLS 1.3, closed by the server at once with nothing sent: a note, since the server may have refused us.
    s.protocol = u"TLSv1.3"_s;
    events = clientStart();
    events << ev(Side::Client, EventKind::Encrypted)
           << ev(Side::Client, EventKind::Closed, {}, u"Connection closed by the server"_s);
    v = judge(s, events);
    QVERIFY(v);
    QCOMPARE(v->kind, Verdict::Kind::Note);
    QCOMPARE(v->causeCode, u"closed-after-handshake"_s);
    QVERIFY2(v->fix.contains(u"If the server requires a client certificate"_s), qPrintable(v->fix));
    // With the tap: a server that asked for no certificate did not close over one, and the note does not say so.
    QList<Event> tapped = events;
    tapped.insert(3, message(Side::Client, false, u"EncryptedExtensions"_s));
    v = judge(s, tapped);
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"closed-after-handshake"_s);
    QVERIFY2(v->why.contains(u"asked for no client certificate"_s), qPrintable(v->why));
    QVERIFY2(!v->fix.contains(u"--cert"_s), qPrintable(v->fix));
    // It asked, and this client answered with an empty Certificate message: the fix is this client's.
    tapped.insert(4, message(Side::Client, false, u"CertificateRequest"_s));
    tapped.insert(5, message(Side::Client, true, u"Certificate"_s, EventDetails {{u"certificate_count", 0}}));
    v = judge(s, tapped);
    QVERIFY(v);
    QVERIFY2(v->fix.contains(u"this client sent none: connect with --cert FILE --key FILE"_s), qPrintable(v->fix));
    // The same with the server's greeting received: nothing to say.
    events.insert(4, ev(Side::Client, EventKind::DataReceived, EventDetails {{u"text", u"hi\n"_s}}));
    QVERIFY(!judge(s, events));
}

void TestDiagnosis::plaintextClient()
{
    Session s = clientSession(SessionState::Closed);
    const Event start = ev(Side::Client, EventKind::HandshakeStarted, EventDetails {{u"mode", u"plaintext"_s}});
    const Event connected = ev(Side::Client, EventKind::TcpConnected);
    const QString answer = u"HTTP/1.1 400 Bad Request\r\n\r\nThis port speaks TLS. Use https:// to connect.\n"_s;
    auto v = judge(s,
        {start, connected, ev(Side::Client, EventKind::DataReceived, EventDetails {{u"text", answer}}),
            ev(Side::Client, EventKind::Closed, {}, u"Connection closed by the server"_s)});
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"plaintext-to-tls-port"_s);
    QVERIFY(v->why.contains(u"400"_s));

    // The server just closed: a TLS server would, but so would others. A note, not a claim.
    v = judge(s, {start, connected, ev(Side::Client, EventKind::Closed, {}, u"Connection closed by the server"_s)});
    QVERIFY(v);
    QCOMPARE(v->kind, Verdict::Kind::Note);
    QCOMPARE(v->causeCode, u"closed-without-answer"_s);

    // An ordinary plaintext exchange: nothing to say.
    QVERIFY(!judge(s,
        {start, connected, ev(Side::Client, EventKind::DataReceived, EventDetails {{u"text", u"hello\n"_s}}),
            ev(Side::Client, EventKind::Closed, {}, u"Connection closed by the server"_s)}));
}

void TestDiagnosis::verdictJsonAndClasses()
{
    Verdict v;
    v.side = Verdict::Party::Server;
    v.gaveUp = Verdict::Party::Client;
    v.step = Verdict::Step::ClientCertificate;
    v.causeCode = u"missing-intermediate"_s;
    v.cause = u"c"_s;
    v.why = u"w"_s;
    v.fix = u"f"_s;
    const QJsonObject json = v.toJson();
    QCOMPARE(json.value(u"step"_s).toString(), u"client-certificate"_s);
    QCOMPARE(json.value(u"side"_s).toString(), u"server"_s);
    QCOMPARE(json.value(u"cause_code"_s).toString(), u"missing-intermediate"_s);
    QCOMPARE(Verdict::fromJson(json), v);
    QVERIFY(Verdict::fromJson({}).causeCode.isEmpty());
    QCOMPARE(v.failureClass(), Verdict::FailureClass::CertificateNotTrusted);
    v.causeCode = u"no-shared-cipher"_s;
    QCOMPARE(v.failureClass(), Verdict::FailureClass::NoCommonParameters);
    v.causeCode = u"silent-peer"_s;
    QCOMPARE(v.failureClass(), Verdict::FailureClass::Timeout);
    v.causeCode = u"unknown"_s;
    QCOMPARE(v.failureClass(), Verdict::FailureClass::Other);
    const QStringList lines = v.toTextLines();
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines.at(2).startsWith(u"Fix: "_s));
}

void TestDiagnosis::diagnoserStoresAndRecords()
{
    Timeline timeline;
    Diagnoser *diagnoser = Diagnoser::of(&timeline);
    QCOMPARE(Diagnoser::of(&timeline), diagnoser); // one per timeline
    diagnoser->setRecordsEvents(true);
    QSignalSpy judged(diagnoser, &Diagnoser::verdictChanged);

    Session s = serverSession(SessionState::Connecting);
    s.id = Timeline::newSessionId();
    s.endUs = 0;
    timeline.updateSession(s);
    timeline.record(s.id, Side::Server, EventKind::TcpAccepted, Severity::Info, u"accepted"_s);
    timeline.record(s.id, Side::Server, EventKind::Timeout, Severity::Warning, u"timeout"_s,
        EventDetails {{u"timeout_ms", 500}, {u"bytes", 0}});
    QCOMPARE(judged.size(), 0); // still open: no verdict yet
    s.state = SessionState::Failed;
    s.endUs = nowUs();
    timeline.updateSession(s);
    QCOMPARE(judged.size(), 1);
    QCOMPARE(timeline.session(s.id).diagnosis.value(u"cause_code"_s).toString(), u"silent-peer"_s);
    const Event last = timeline.event(timeline.eventCount() - 1);
    QCOMPARE(last.kind, EventKind::Diagnosis);
    QCOMPARE(last.session, s.id);
    QCOMPARE(last.details.value(u"cause_code").toString(), u"silent-peer"_s);
    QCOMPARE(kindName(last.kind), u"diagnosis"_s);

    // The listener publishing its own copy again (without the verdict) does not lose it.
    timeline.updateSession(s);
    QCOMPARE(timeline.session(s.id).diagnosis.value(u"cause_code"_s).toString(), u"silent-peer"_s);
    QCOMPARE(diagnoser->verdict(s.id)->causeCode, u"silent-peer"_s);
}

void TestDiagnosis::listenerCertificateNotedOnce()
{
    Timeline timeline;
    Diagnoser *diagnoser = Diagnoser::of(&timeline);
    diagnoser->setRecordsEvents(true);
    diagnoser->setLocalChain(m_soonExpiring.chain);
    QCOMPARE(timeline.eventCount(), 1); // said once, when the listener starts
    const Event note = timeline.event(0);
    QCOMPARE(note.kind, EventKind::Diagnosis);
    QCOMPARE(note.session, 0u);
    QCOMPARE(note.details.value(u"cause_code").toString(), u"expires-soon"_s);
    QCOMPARE(note.details.value(u"kind").toString(), u"note"_s);

    // A session served with that certificate that went well gets no verdict of its own, and is not published again.
    QSignalSpy judged(diagnoser, &Diagnoser::verdictChanged);
    Session s = serverSession(SessionState::Connecting);
    s.id = Timeline::newSessionId();
    s.endUs = 0;
    timeline.updateSession(s);
    const QList<Event> events = serverStart({u"TLS 1.3"_s}) << ev(Side::Server, EventKind::Encrypted);
    for (const Event &e : events)
        timeline.record(s.id, Side::Server, e.kind, e.severity, e.summary, e.details);
    s.state = SessionState::Closed;
    s.protocol = u"TLSv1.3"_s;
    s.endUs = nowUs();
    QSignalSpy updated(&timeline, &Timeline::sessionUpdated);
    timeline.updateSession(s);
    QCOMPARE(updated.size(), 1);
    QCOMPARE(judged.size(), 0);
    QVERIFY(!diagnoser->verdict(s.id));
    QCOMPARE(timeline.eventCount(), 1 + events.size()); // no "diagnosis" event either

    // A leaf certificate with years to run: nothing to note.
    Timeline quiet;
    Diagnoser *other = Diagnoser::of(&quiet);
    other->setRecordsEvents(true);
    other->setLocalChain(m_leaf.chain);
    QCOMPARE(quiet.eventCount(), 0);
}

void TestDiagnosis::withoutHistory()
{
    // tlslab serve keeps neither events nor ended sessions: the verdicts still come, once each, and nothing piles up.
    Timeline timeline;
    timeline.setKeepsHistory(false);
    Diagnoser *diagnoser = Diagnoser::of(&timeline);
    diagnoser->setRecordsEvents(true);
    QList<Event> seen;
    connect(&timeline, &Timeline::eventAppended, this, [&seen](const Event &e) { seen.append(e); });
    QList<Session> sessions;
    for (int i = 0; i < 300; ++i) { // more than the diagnoser keeps verdicts for
        Session s = serverSession(SessionState::Connecting);
        s.id = Timeline::newSessionId();
        s.endUs = 0;
        timeline.updateSession(s);
        timeline.record(s.id, Side::Server, EventKind::TcpAccepted, Severity::Info, u"accepted"_s);
        timeline.record(s.id, Side::Server, EventKind::Timeout, Severity::Warning, u"timeout"_s,
            EventDetails {{u"timeout_ms", 500}, {u"bytes", 0}});
        s.state = SessionState::Failed;
        s.endUs = nowUs();
        timeline.updateSession(s);
        sessions.append(s);
    }
    QCOMPARE(timeline.eventCount(), 0);
    QCOMPARE(timeline.sessionCount(), 0);
    const auto diagnoses = [&seen] {
        return std::count_if(seen.cbegin(), seen.cend(), [](const Event &e) { return e.kind == EventKind::Diagnosis; });
    };
    QCOMPARE(diagnoses(), 300);
    QCOMPARE(seen.size(), 900);
    const Event &verdict = seen.at(2);
    QCOMPARE(verdict.kind, EventKind::Diagnosis);
    QCOMPARE(verdict.session, sessions.first().id);
    QCOMPARE(verdict.details.value(u"cause_code").toString(), u"silent-peer"_s);

    // The oldest session published again, long after: judged already, not recorded twice.
    timeline.updateSession(sessions.first());
    QCOMPARE(diagnoses(), 300);
    QCOMPARE(timeline.sessionCount(), 0);
    // An open session stays until it ends.
    Session open = serverSession(SessionState::Connecting);
    open.id = Timeline::newSessionId();
    open.endUs = 0;
    timeline.updateSession(open);
    QCOMPARE(timeline.sessionCount(), 1);
    QCOMPARE(timeline.session(open.id).id, open.id);
}

void TestDiagnosis::recordOverflow()
{
    // A record header that looks like TLS but declares 65,535 bytes: OpenSSL says "packet length too long".
    Session s = serverSession(SessionState::Failed);
    QList<Event> events {ev(Side::Server, EventKind::TcpAccepted),
        ev(Side::Server, EventKind::FirstBytes, EventDetails {{u"classification", u"tls-client-hello"_s}}),
        ev(Side::Server, EventKind::HandshakeStarted), alert(Side::Server, true, u"record_overflow"_s),
        failed(Side::Server, u"x"_s, u"error:0A0000C6:SSL routines::packet length too long"_s)};
    auto v = judge(s, events);
    QVERIFY(v);
    QCOMPARE(v->causeCode, u"record-overflow"_s);
    QCOMPARE(v->gaveUp, Verdict::Party::Server);
    QVERIFY(v->why.contains(u"16,384"_s));

    // The same words after first bytes that were not TLS: not claimed.
    events[1] = ev(Side::Server, EventKind::FirstBytes, EventDetails {{u"classification", u"plaintext"_s}});
    v = judge(s, events);
    QVERIFY(v);
    QVERIFY(v->causeCode != u"record-overflow"_s);
}

QTEST_GUILESS_MAIN(TestDiagnosis)
#include "tst_diagnosis.moc"
