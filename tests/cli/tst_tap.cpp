// The TLS tap as a user meets it on the command line, checked against openssl on the other end: key log lines equal
// to openssl's own for the same connection, real alerts that tell the peer why (both directions), the ALPN refusal a
// TLS server owes, resumption on both ends, and the protocol of the session (not of the cipher).
#include "peerprocess.h"
#include "testutil.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Qt::StringLiterals;
using namespace TlsLab::Test;

namespace {

QList<QJsonObject> eventsOfKind(const QList<QJsonObject> &events, const QString &kind)
{
    QList<QJsonObject> out;
    for (const QJsonObject &e : events) {
        if (e.value(u"kind"_s).toString() == kind)
            out.append(e);
    }
    return out;
}

QSet<QByteArray> lines(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QSet<QByteArray> out;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (!line.trimmed().isEmpty() && !line.startsWith('#'))
            out.insert(line.trimmed());
    }
    return out;
}

// Runs tlslab to its end; returns what it printed on stdout (its warnings go to stderr).
QByteArray runTlslab(const QStringList &arguments, int *exitCode = nullptr)
{
    PeerProcess process;
    if (!process.start(tlslab(), arguments) || !process.finish())
        return {};
    if (exitCode)
        *exitCode = process.exitCode();
    return process.output();
}

QJsonObject resultOf(const QByteArray &output)
{
    for (const QJsonObject &o : jsonLines(output)) {
        if (o.contains(u"result"_s))
            return o.value(u"result"_s).toObject();
    }
    return {};
}

} // namespace

class TestTap : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void keyLogOfServeMatchesOpensslClient_data();
    void keyLogOfServeMatchesOpensslClient();
    void keyLogOfConnectMatchesOpensslServer();
    void connectRejectsWithARealAlert();
    void serveRejectsMissingClientCertificateWithAlert();
    void serveRefusesAlpnWithoutOverlap();
    void tls13ClientIsNotOkWhenTheServerRejectsIt();
    void resumeOnBothEnds();
    void protocolIsTheSessions();
    void printedCommandsReproduce();
    void badKeyLogOptions();

private:
    bool startServe(PeerProcess &serve, quint16 &port, const QStringList &extra);
    bool startOpensslServer(PeerProcess &server, quint16 &port, const QStringList &extra);
    QString path(const QString &name) const { return m_dir.filePath(name); }

    QTemporaryDir m_dir;
    QString m_cert, m_key, m_rsaCert, m_rsaKey;
};

void TestTap::initTestCase()
{
    QVERIFY(m_dir.isValid());
    qputenv("TLSLAB_DATA_DIR", path(u"data"_s).toUtf8());
    m_cert = path(u"cert.pem"_s);
    m_key = path(u"key.pem"_s);
    int code = -1;
    PeerProcess::run(u"openssl"_s,
        {u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:P-256"_s, u"-nodes"_s,
            u"-subj"_s, u"/CN=localhost"_s, u"-addext"_s, u"subjectAltName=DNS:localhost,IP:127.0.0.1"_s, u"-days"_s,
            u"2"_s, u"-keyout"_s, m_key, u"-out"_s, m_cert},
        {}, &code);
    QCOMPARE(code, 0);
    m_rsaCert = path(u"rsa.pem"_s);
    m_rsaKey = path(u"rsa.key"_s);
    PeerProcess::run(u"openssl"_s,
        {u"req"_s, u"-x509"_s, u"-newkey"_s, u"rsa:2048"_s, u"-nodes"_s, u"-subj"_s, u"/CN=localhost"_s, u"-addext"_s,
            u"subjectAltName=DNS:localhost,IP:127.0.0.1"_s, u"-days"_s, u"2"_s, u"-keyout"_s, m_rsaKey, u"-out"_s,
            m_rsaCert},
        {}, &code);
    QCOMPARE(code, 0);
}

bool TestTap::startServe(PeerProcess &serve, quint16 &port, const QStringList &extra)
{
    port = freePort();
    if (!serve.start(tlslab(),
            QStringList {u"serve"_s, u"--listen"_s, u"127.0.0.1:%1"_s.arg(port), u"--cert"_s, m_cert, u"--key"_s, m_key,
                u"--no-greeting"_s}
                + extra))
        return false;
    return serve.waitForOutput("\"kind\":\"listener-started\"");
}

bool TestTap::startOpensslServer(PeerProcess &server, quint16 &port, const QStringList &extra)
{
    port = freePort();
    if (!server.start(u"openssl"_s,
            QStringList {u"s_server"_s, u"-accept"_s, u"127.0.0.1:%1"_s.arg(port), u"-naccept"_s, u"1"_s} + extra, {},
            false))
        return false;
    return server.waitForOutput("ACCEPT");
}

void TestTap::keyLogOfServeMatchesOpensslClient_data()
{
    QTest::addColumn<QString>("version");
    QTest::newRow("TLS 1.3") << u"-tls1_3"_s;
    QTest::newRow("TLS 1.2") << u"-tls1_2"_s;
}

void TestTap::keyLogOfServeMatchesOpensslClient()
{
    QFETCH(QString, version);
    const QString ours = path(u"serve-%1.keys"_s.arg(version.mid(1)));
    const QString theirs = path(u"s_client-%1.keys"_s.arg(version.mid(1)));
    PeerProcess serve;
    quint16 port = 0;
    QVERIFY(startServe(serve, port, {u"--keylog"_s, ours, u"--max-connections"_s, u"1"_s}));
    QVERIFY(serve.errorOutput().contains("warning: writing TLS secrets"));
    int code = -1;
    PeerProcess::run(u"openssl"_s,
        {u"s_client"_s, u"-connect"_s, u"127.0.0.1:%1"_s.arg(port), version, u"-keylogfile"_s, theirs}, "Q\n", &code);
    QVERIFY(serve.finish());
    const QSet<QByteArray> mine = lines(ours);
    QVERIFY(!mine.isEmpty());
    QCOMPARE(mine, lines(theirs)); // the same secrets, line for line, for the same connection
    QCOMPARE(mine.size(), version == u"-tls1_3" ? 5 : 1);
    struct stat st;
    QCOMPARE(::stat(QFile::encodeName(ours).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, mode_t(0600));
}

void TestTap::keyLogOfConnectMatchesOpensslServer()
{
    const QString ours = path(u"connect.keys"_s);
    const QString theirs = path(u"s_server.keys"_s);
    PeerProcess server;
    quint16 port = 0;
    QVERIFY(startOpensslServer(server, port, {u"-cert"_s, m_cert, u"-key"_s, m_key, u"-keylogfile"_s, theirs}));
    const QByteArray out = runTlslab(
        {u"connect"_s, u"127.0.0.1:%1"_s.arg(port), u"--ca"_s, m_cert, u"--keylog"_s, ours, u"--wait"_s, u"300"_s});
    server.finish();
    QVERIFY2(resultOf(out).value(u"ok"_s).toBool(), out.constData());
    QVERIFY(!lines(ours).isEmpty());
    QCOMPARE(lines(ours), lines(theirs));
}

void TestTap::connectRejectsWithARealAlert()
{
    // openssl s_server prints the alert it receives: the server learns why it was refused.
    PeerProcess server;
    quint16 port = 0;
    QVERIFY(startOpensslServer(server, port, {u"-cert"_s, m_cert, u"-key"_s, m_key}));
    int code = -1;
    const QByteArray out = runTlslab({u"connect"_s, u"127.0.0.1:%1"_s.arg(port), u"--no-system-ca"_s}, &code);
    server.finish();
    QCOMPARE(code, 5); // certificate not trusted
    const QByteArray serverSaid = server.output() + server.errorOutput();
    QVERIFY2(serverSaid.contains("alert unknown ca"), serverSaid.constData());
    const QList<QJsonObject> alerts = eventsOfKind(jsonLines(out), u"alert-sent"_s);
    QVERIFY(!alerts.isEmpty());
    QCOMPARE(alerts.first().value(u"details"_s).toObject().value(u"type"_s).toString(), u"unknown_ca"_s);
    QVERIFY(alerts.first().value(u"details"_s).toObject().value(u"wire"_s).toBool());
}

void TestTap::serveRejectsMissingClientCertificateWithAlert()
{
    PeerProcess serve;
    quint16 port = 0;
    QVERIFY(startServe(serve, port, {u"--verify"_s, u"require"_s, u"--ca"_s, m_cert, u"--max-connections"_s, u"1"_s}));
    const QByteArray out = PeerProcess::run(
        u"openssl"_s, {u"s_client"_s, u"-connect"_s, u"127.0.0.1:%1"_s.arg(port), u"-tls1_3"_s, u"-ign_eof"_s});
    QVERIFY(serve.finish());
    QVERIFY2(out.contains("alert certificate required"), out.constData());
    const QList<QJsonObject> sent = eventsOfKind(jsonLines(serve.output()), u"alert-sent"_s);
    QVERIFY(!sent.isEmpty());
    QCOMPARE(sent.first().value(u"details"_s).toObject().value(u"type"_s).toString(), u"certificate_required"_s);
    QVERIFY(sent.first().value(u"details"_s).toObject().value(u"encrypted"_s).toBool()); // TLS 1.3: encrypted
    // The listener names the CAs it accepts, as openssl s_server -CAfile does.
    bool named = false;
    for (const QJsonObject &e : eventsOfKind(jsonLines(serve.output()), u"tls-message"_s)) {
        const QJsonObject d = e.value(u"details"_s).toObject();
        if (d.value(u"type"_s).toString() == u"CertificateRequest")
            named = d.value(u"certificate_authorities"_s).toArray().contains(QJsonValue(u"CN=localhost"_s));
    }
    QVERIFY(named);
}

void TestTap::serveRefusesAlpnWithoutOverlap()
{
    PeerProcess serve;
    quint16 port = 0;
    QVERIFY(startServe(serve, port, {u"--alpn"_s, u"http/1.1"_s, u"--max-connections"_s, u"1"_s}));
    const QByteArray out = PeerProcess::run(
        u"openssl"_s, {u"s_client"_s, u"-connect"_s, u"127.0.0.1:%1"_s.arg(port), u"-alpn"_s, u"h2"_s}, "Q\n");
    QVERIFY(serve.finish());
    QVERIFY2(out.contains("no application protocol"), out.constData());
    const QList<QJsonObject> sent = eventsOfKind(jsonLines(serve.output()), u"alert-sent"_s);
    QVERIFY(!sent.isEmpty());
    QCOMPARE(sent.first().value(u"details"_s).toObject().value(u"type"_s).toString(), u"no_application_protocol"_s);
}

void TestTap::tls13ClientIsNotOkWhenTheServerRejectsIt()
{
    // In TLS 1.3 the client finishes before the server judges its (missing) certificate: OK must wait for that.
    PeerProcess serve;
    quint16 port = 0;
    QVERIFY(startServe(serve, port, {u"--verify"_s, u"require"_s, u"--ca"_s, m_cert, u"--max-connections"_s, u"1"_s}));
    int code = -1;
    const QByteArray out = runTlslab(
        {u"connect"_s, u"127.0.0.1:%1"_s.arg(port), u"--ca"_s, m_cert, u"--tls"_s, u"1.3"_s, u"--wait"_s, u"0"_s},
        &code);
    QVERIFY(serve.finish());
    QVERIFY(code != 0);
    const QJsonObject result = resultOf(out);
    QCOMPARE(result.value(u"ok"_s).toBool(true), false);
    QCOMPARE(
        result.value(u"diagnosis"_s).toObject().value(u"cause_code"_s).toString(), u"client-certificate-required"_s);
}

void TestTap::resumeOnBothEnds()
{
    PeerProcess serve;
    quint16 port = 0;
    QVERIFY(startServe(serve, port, {u"--max-connections"_s, u"2"_s}));
    const QByteArray out = runTlslab(
        {u"connect"_s, u"127.0.0.1:%1"_s.arg(port), u"--ca"_s, m_cert, u"--resume"_s, u"--wait"_s, u"200"_s});
    QVERIFY(serve.finish());
    const QJsonObject result = resultOf(out);
    QVERIFY2(result.value(u"ok"_s).toBool(), out.constData());
    QCOMPARE(result.value(u"resumed"_s).toBool(), true);
    // The listener saw two handshakes: the second resumed, without a Certificate.
    const QList<QJsonObject> events = jsonLines(serve.output());
    const QList<QJsonObject> encrypted = eventsOfKind(events, u"encrypted"_s);
    QCOMPARE(encrypted.size(), 2);
    QCOMPARE(encrypted.at(0).value(u"details"_s).toObject().value(u"resumed"_s).toBool(), false);
    QCOMPARE(encrypted.at(1).value(u"details"_s).toObject().value(u"resumed"_s).toBool(), true);
    const qint64 second = encrypted.at(1).value(u"session"_s).toInteger();
    for (const QJsonObject &e : eventsOfKind(events, u"tls-message"_s)) {
        if (e.value(u"session"_s).toInteger() == second)
            QVERIFY(e.value(u"details"_s).toObject().value(u"type"_s).toString() != u"Certificate");
    }
}

void TestTap::protocolIsTheSessions()
{
    // ECDHE-RSA-AES128-SHA exists since TLS 1.0; over TLS 1.2 the session is TLS 1.2.
    PeerProcess server;
    quint16 port = 0;
    QVERIFY(startOpensslServer(server, port,
        {u"-cert"_s, m_rsaCert, u"-key"_s, m_rsaKey, u"-tls1_2"_s, u"-cipher"_s, u"ECDHE-RSA-AES128-SHA"_s}));
    const QByteArray out
        = runTlslab({u"connect"_s, u"127.0.0.1:%1"_s.arg(port), u"--ca"_s, m_rsaCert, u"--wait"_s, u"200"_s});
    server.finish();
    const QJsonObject result = resultOf(out);
    QVERIFY2(result.value(u"ok"_s).toBool(), out.constData());
    QCOMPARE(result.value(u"cipher"_s).toString(), u"ECDHE-RSA-AES128-SHA"_s);
    QCOMPARE(result.value(u"protocol"_s).toString(), u"TLSv1.2"_s);
}

void TestTap::printedCommandsReproduce()
{
    // The openssl s_client line printed for a connection verifies our listener as TLS Lab does...
    PeerProcess serve;
    quint16 port = 0;
    QVERIFY(startServe(serve, port, {u"--max-connections"_s, u"1"_s}));
    const QByteArray clientLines = runTlslab(
        {u"connect"_s, u"localhost:%1"_s.arg(port), u"--ca"_s, m_cert, u"--tls"_s, u"1.3"_s, u"--print-command"_s});
    QVERIFY2(clientLines.contains("# ca.pem: the CA certificates this connection trusted (CN=localhost)"),
        clientLines.constData());
    QByteArray sClient;
    for (const QByteArray &line : clientLines.split('\n')) {
        if (line.startsWith("openssl s_client "))
            sClient = line;
    }
    QVERIFY2(
        sClient.contains("-verify_return_error") && sClient.contains("-servername localhost"), sClient.constData());
    QFile::copy(m_cert, path(u"ca.pem"_s));
    QStringList arguments = QString::fromUtf8(sClient).split(u' ');
    arguments.removeFirst(); // openssl
    PeerProcess client;
    client.process().setWorkingDirectory(m_dir.path());
    QVERIFY(client.start(u"openssl"_s, arguments, "Q\n"));
    QVERIFY(client.finish());
    QVERIFY(serve.finish());
    QVERIFY2(client.output().contains("Verify return code: 0 (ok)"), client.output().constData());
    QVERIFY(client.output().contains("Protocol  : TLSv1.3") || client.output().contains("TLSv1.3"));

    // ...and the openssl s_server line printed for a listener serves what TLS Lab's client accepts.
    const QByteArray serverLine = runTlslab({u"serve"_s, u"--listen"_s, u"127.0.0.1:%1"_s.arg(freePort()), u"--cert"_s,
                                                m_cert, u"--key"_s, m_key, u"--print-command"_s})
                                      .trimmed();
    QVERIFY2(serverLine.startsWith("openssl s_server -accept 127.0.0.1:"), serverLine.constData());
    QStringList serverArguments = QString::fromUtf8(serverLine).split(u' ');
    serverArguments.removeFirst();
    const QString accept = serverArguments.at(serverArguments.indexOf(u"-accept"_s) + 1);
    PeerProcess server;
    QVERIFY(server.start(u"openssl"_s, serverArguments + QStringList {u"-naccept"_s, u"1"_s}, {}, false));
    QVERIFY(server.waitForOutput("ACCEPT"));
    const QByteArray out = runTlslab({u"connect"_s, accept, u"--ca"_s, m_cert, u"--wait"_s, u"200"_s});
    server.finish();
    QVERIFY2(resultOf(out).value(u"ok"_s).toBool(), out.constData());
}

void TestTap::badKeyLogOptions()
{
    // A key log that cannot be written stops serve with the reason; --keylog without the tap is a usage error.
    PeerProcess serve;
    QVERIFY(serve.start(tlslab(),
        {u"serve"_s, u"--listen"_s, u"127.0.0.1:%1"_s.arg(freePort()), u"--keylog"_s, path(u"no/such/dir/keys"_s)}));
    QVERIFY(serve.finish());
    QCOMPARE(serve.exitCode(), 1);
    QVERIFY2(serve.errorOutput().contains("cannot open the key log file"), serve.errorOutput().constData());

    PeerProcess connect;
    QVERIFY(connect.start(
        tlslab(), {u"connect"_s, u"127.0.0.1:%1"_s.arg(freePort()), u"--keylog"_s, path(u"k"_s), u"--no-tap"_s}));
    QVERIFY(connect.finish());
    QCOMPARE(connect.exitCode(), 2);
    QVERIFY2(connect.errorOutput().contains("--keylog needs the TLS tap"), connect.errorOutput().constData());
}

QTEST_GUILESS_MAIN(TestTap)
#include "tst_tap.moc"
