// The tlslab command line, run as a user runs it: `serve` and `connect` against each other and against real
// peers, JSON lines on stdout, and one clear line plus a non-zero status for every bad input.
#include "peerprocess.h"
#include "testpki.h"
#include "testutil.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace TlsLab::Test;

namespace {

QStringList kinds(const QList<QJsonObject> &events, const QString &side = {})
{
    QStringList out;
    for (const QJsonObject &e : events) {
        if (e.contains(u"kind"_s) && (side.isEmpty() || e.value(u"side"_s).toString() == side))
            out.append(e.value(u"kind"_s).toString());
    }
    return out;
}

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void version();
    void helpForEachCommand_data();
    void helpForEachCommand();
    void serveAndConnect();
    void connectRefusesUntrusted();
    void plaintextIsRefusedAndServingGoesOn();
    void badInputs_data();
    void badInputs();
    void portInUse();
    void allInterfacesWarns();
    void serveStopsCleanlyOnSigterm();
    void csvAndGrep();

private:
    // Starts `tlslab serve` on a free port; waits for its listener-started line.
    bool startServe(PeerProcess &serve, quint16 &port, const QStringList &extra = {});

    QTemporaryDir m_dir;
    QString m_devCert;
    QString m_devCertSource; // a valid certificate file, made in initTestCase
};

void TestCli::initTestCase()
{
    QVERIFY2(QFile::exists(tlslab()), "TLSLAB_BINARY must name the built tlslab");
    QVERIFY(m_dir.isValid());
    // Every tlslab process of this test uses a fresh data folder (the development certificate lives there).
    qputenv("TLSLAB_DATA_DIR", m_dir.filePath(u"data"_s).toUtf8());
    m_devCert = m_dir.filePath(u"data/tlslab-dev.pem"_s);
    TestPki pki(m_dir.filePath(u"pki"_s));
    m_devCertSource = pki.makeSelfSigned(u"valid"_s, u"localhost"_s, u"DNS:localhost"_s).certificate;
    QVERIFY2(!m_devCertSource.isEmpty(), qPrintable(pki.lastError()));
}

bool TestCli::startServe(PeerProcess &serve, quint16 &port, const QStringList &extra)
{
    port = freePort();
    if (!serve.start(tlslab(), QStringList {u"serve"_s, u"--listen"_s, u"127.0.0.1:%1"_s.arg(port)} + extra))
        return false;
    return serve.waitForOutput("\"kind\":\"listener-started\"");
}

void TestCli::version()
{
    int code = -1;
    const QByteArray out = PeerProcess::run(tlslab(), {u"--version"_s}, {}, &code);
    QCOMPARE(code, 0);
    QVERIFY2(out.startsWith("tlslab 0."), out.constData());
    QVERIFY(out.contains("Qt 6."));
    QVERIFY(out.contains("OpenSSL 3"));
}

void TestCli::helpForEachCommand_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("expected");
    QTest::newRow("tlslab --help") << QStringList {u"--help"_s} << QByteArray("serve");
    QTest::newRow("serve --help") << QStringList {u"serve"_s, u"--help"_s} << QByteArray("--max-connections");
    QTest::newRow("connect --help") << QStringList {u"connect"_s, u"--help"_s} << QByteArray("--plaintext");
}

void TestCli::helpForEachCommand()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, expected);
    int code = -1;
    const QByteArray out = PeerProcess::run(tlslab(), arguments, {}, &code);
    QCOMPARE(code, 0);
    QVERIFY2(out.contains(expected), out.constData());
    QVERIFY(out.startsWith("Usage: tlslab"));
}

void TestCli::serveAndConnect()
{
    PeerProcess serve;
    quint16 port = 0;
    QVERIFY(startServe(serve, port, {u"--max-connections"_s, u"1"_s}));
    QVERIFY(QFile::exists(m_devCert));

    PeerProcess connect;
    QVERIFY(connect.start(tlslab(),
        {u"connect"_s, u"127.0.0.1:%1"_s.arg(port), u"--ca"_s, m_devCert, u"--servername"_s, u"localhost"_s,
            u"--send"_s, u"ping"_s, u"--wait"_s, u"500"_s}));
    QVERIFY(connect.finish());
    QCOMPARE(connect.exitCode(), 0);
    const QList<QJsonObject> client = jsonLines(connect.output());
    QVERIFY(!client.isEmpty());
    QVERIFY(kinds(client).contains(u"encrypted"_s));
    const QJsonObject result = client.last().value(u"result"_s).toObject();
    QCOMPARE(result.value(u"ok"_s).toBool(), true);
    QCOMPARE(result.value(u"protocol"_s).toString(), u"TLSv1.3"_s);
    // What the server sent: the greeting, then our line echoed.
    QString received;
    for (const QJsonObject &e : client) {
        if (e.value(u"kind"_s).toString() == u"data-received")
            received += e.value(u"details"_s).toObject().value(u"text"_s).toString();
    }
    QCOMPARE(received, u"Hello from TLS Lab\nping\n"_s);

    // The server stops by itself after one connection (--max-connections 1) and printed the whole story.
    QVERIFY(serve.finish());
    QCOMPARE(serve.exitCode(), 0);
    const QStringList server = kinds(jsonLines(serve.output()));
    for (const QString &k : {u"tcp-accepted"_s, u"client-hello"_s, u"encrypted"_s, u"data-sent"_s, u"data-received"_s,
             u"closed"_s, u"listener-stopped"_s})
        QVERIFY2(server.contains(k), qPrintable(k));
}

void TestCli::connectRefusesUntrusted()
{
    PeerProcess serve;
    quint16 port = 0;
    QVERIFY(startServe(serve, port, {u"--max-connections"_s, u"2"_s}));
    // Without --ca the development certificate is not trusted: exit 5 (certificate not trusted), the cause in words.
    PeerProcess connect;
    QVERIFY(connect.start(tlslab(), {u"connect"_s, u"127.0.0.1:%1"_s.arg(port), u"--text"_s}));
    QVERIFY(connect.finish());
    QCOMPARE(connect.exitCode(), 5);
    QVERIFY2(connect.output().contains("FAILED: certificate verification failed: the certificate is self-signed"),
        connect.output().constData());
    // --insecure: continue anyway, for this connection only, and say so.
    PeerProcess insecure;
    QVERIFY(insecure.start(tlslab(), {u"connect"_s, u"127.0.0.1:%1"_s.arg(port), u"--insecure"_s}));
    QVERIFY(insecure.finish());
    QCOMPARE(insecure.exitCode(), 0);
    const QList<QJsonObject> events = jsonLines(insecure.output());
    QVERIFY(kinds(events).contains(u"errors-ignored"_s));
    QCOMPARE(events.last().value(u"result"_s).toObject().value(u"untrusted"_s).toBool(), true);
    QVERIFY(serve.finish());
}

void TestCli::plaintextIsRefusedAndServingGoesOn()
{
    PeerProcess serve;
    quint16 port = 0;
    QVERIFY(startServe(serve, port, {u"--max-connections"_s, u"2"_s}));
    PeerProcess plain;
    QVERIFY(plain.start(tlslab(), {u"connect"_s, u"127.0.0.1:%1"_s.arg(port), u"--plaintext"_s, u"--http"_s}));
    QVERIFY(plain.finish());
    QCOMPARE(plain.exitCode(), 0); // the plaintext was delivered, as asked
    QVERIFY2(plain.output().contains("400 Bad Request"), plain.output().constData());

    PeerProcess tls;
    QVERIFY(tls.start(tlslab(), {u"connect"_s, u"127.0.0.1:%1"_s.arg(port), u"--ca"_s, m_devCert}));
    QVERIFY(tls.finish());
    QCOMPARE(tls.exitCode(), 0);

    QVERIFY(serve.finish());
    const QList<QJsonObject> events = jsonLines(serve.output());
    QVERIFY(kinds(events).contains(u"plaintext-refused"_s));
    QCOMPARE(kinds(events).count(u"encrypted"_s), 1);
    for (const QJsonObject &e : events) {
        if (e.value(u"kind"_s).toString() == u"first-bytes"_s
            && e.value(u"details"_s).toObject().value(u"classification"_s).toString() == u"http"_s)
            return;
    }
    QFAIL("no first-bytes event classified the request as HTTP");
}

void TestCli::badInputs_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QByteArray>("message");
    const QString garbage = m_dir.filePath(u"garbage.pem"_s);
    QFile f(garbage);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
    f.close();

    QTest::newRow("unknown option") << QStringList {u"serve"_s, u"--frobnicate"_s} << 2
                                    << QByteArray("Unknown option 'frobnicate'");
    QTest::newRow("unknown verify mode") << QStringList {u"serve"_s, u"--verify"_s, u"always"_s} << 2
                                         << QByteArray("--verify takes none, request or require");
    QTest::newRow("bad endpoint") << QStringList {u"serve"_s, u"--listen"_s, u"127.0.0.1:99999"_s} << 2
                                  << QByteArray("'99999' is not a port number");
    QTest::newRow("missing cert file") << QStringList {u"serve"_s, u"--cert"_s, u"/nonexistent.pem"_s, u"--key"_s,
        u"/nonexistent.key"_s} << 1 << QByteArray("/nonexistent.pem");
    QTest::newRow("garbage cert file") << QStringList {u"serve"_s, u"--cert"_s, garbage, u"--key"_s, garbage} << 1
                                       << QByteArray("garbage.pem");
    QTest::newRow("garbage key file") << QStringList {u"serve"_s, u"--cert"_s, m_devCertSource, u"--key"_s, garbage}
                                      << 1 << QByteArray("garbage.pem");
    // A certificate file alone is fine (a PKCS#12 bundle, or a PEM holding the key too); this one is garbage.
    QTest::newRow("cert without key") << QStringList {u"serve"_s, u"--cert"_s, garbage} << 1
                                      << QByteArray("garbage.pem");
    QTest::newRow("key without cert") << QStringList {u"serve"_s, u"--key"_s, garbage} << 2
                                      << QByteArray("--key needs --cert");
    QTest::newRow("unknown format") << QStringList {u"serve"_s, u"--format"_s, u"xml"_s} << 2
                                    << QByteArray("--format takes json, text or csv, not 'xml'");
    QTest::newRow("text and csv") << QStringList {u"connect"_s, u"127.0.0.1:1"_s, u"--text"_s, u"--format"_s, u"csv"_s}
                                  << 2 << QByteArray("--text is --format text; it cannot go with --format csv");
    QTest::newRow("bad tls range") << QStringList {u"serve"_s, u"--tls"_s, u"1.1"_s} << 2
                                   << QByteArray("\"1.1\" is not a TLS version range");
    QTest::newRow("connect without target")
        << QStringList {u"connect"_s} << 2 << QByteArray("connect takes one HOST:PORT");
    QTest::newRow("bad hex") << QStringList {u"connect"_s, u"127.0.0.1:1"_s, u"--plaintext"_s, u"--send-hex"_s, u"zz"_s}
                             << 2 << QByteArray("--send-hex takes hexadecimal bytes");
    QTest::newRow("bad ca file") << QStringList {u"connect"_s, u"127.0.0.1:1"_s, u"--ca"_s, garbage} << 1
                                 << QByteArray("garbage.pem");
    // Findings of the hostile-network review: each a clear line, never a crash, a hang or the window.
    QTest::newRow("mistyped command") << QStringList {u"srve"_s} << 2
                                      << QByteArray("'srve' is not a command; did you mean 'serve'?");
    QTest::newRow("unknown command") << QStringList {u"frobnicate"_s, u"--x"_s} << 2
                                     << QByteArray("'frobnicate' is not a command; (commands: serve, connect");
    QTest::newRow("unset passphrase variable")
        << QStringList {u"serve"_s, u"--cert"_s, m_devCertSource, u"--passphrase-env"_s, u"TLSLAB_TEST_NEVER_SET"_s}
        << 2 << QByteArray("--passphrase-env names the environment variable TLSLAB_TEST_NEVER_SET, which is not set");
    QTest::newRow("huge handshake timeout")
        << QStringList {u"serve"_s, u"--handshake-timeout"_s, u"99999999999"_s} << 2
        << QByteArray("--handshake-timeout takes a number of milliseconds from 1 to 86400000, not '99999999999'");
    QTest::newRow("negative max-open") << QStringList {u"serve"_s, u"--max-open"_s, u"-1"_s} << 2
                                       << QByteArray("--max-open takes a number of connections from 0 to 1000000");
    QTest::newRow("bad max-bytes") << QStringList {u"connect"_s, u"127.0.0.1:1"_s, u"--max-bytes"_s,
        u"lots"_s} << 2 << QByteArray("--max-bytes takes a number of bytes from 0 to 1073741824, not 'lots'");
    QTest::newRow("/dev/zero as certificate")
        << QStringList {u"serve"_s, u"--cert"_s, u"/dev/zero"_s} << 1 << QByteArray("/dev/zero is not a regular file");
    QTest::newRow("/dev/zero as key") << QStringList {u"serve"_s, u"--cert"_s, m_devCertSource, u"--key"_s,
        u"/dev/zero"_s} << 1 << QByteArray("/dev/zero is not a regular file");
    QTest::newRow("/dev/urandom as CA") << QStringList {u"connect"_s, u"127.0.0.1:1"_s, u"--ca"_s, u"/dev/urandom"_s}
                                        << 1 << QByteArray("/dev/urandom is not a regular file");
    QTest::newRow("cert show /dev/zero") << QStringList {u"cert"_s, u"show"_s, u"/dev/zero"_s} << 1
                                         << QByteArray("/dev/zero is not a regular file");
}

void TestCli::badInputs()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QByteArray, message);
    PeerProcess p;
    QVERIFY(p.start(tlslab(), arguments));
    QVERIFY(p.finish(10000));
    QCOMPARE(p.process().exitStatus(), QProcess::NormalExit); // never a crash
    QCOMPARE(p.exitCode(), exitCode);
    const QByteArray err = p.errorOutput();
    QVERIFY2(err.startsWith("tlslab: ") && err.count('\n') == 1, err.constData()); // one clear line
    QVERIFY2(err.contains(message), err.constData());
}

void TestCli::allInterfacesWarns()
{
    // The warning comes before anything is bound; the missing certificate then stops it, so nothing listens beyond
    // loopback in this test.
    PeerProcess p;
    QVERIFY(p.start(
        tlslab(), {u"serve"_s, u"--listen"_s, u"0.0.0.0:%1"_s.arg(freePort()), u"--cert"_s, u"/nonexistent.pem"_s}));
    QVERIFY(p.finish(10000));
    QCOMPARE(p.exitCode(), 1);
    const QByteArray err = p.errorOutput();
    QVERIFY2(err.startsWith("tlslab: warning: listening on all interfaces (0.0.0.0): any host that can reach this "
                            "machine can connect\n"),
        err.constData());
    QVERIFY2(err.contains("/nonexistent.pem: no such file"), err.constData());
}

void TestCli::portInUse()
{
    QTcpServer occupier;
    QVERIFY(occupier.listen(QHostAddress::LocalHost, 0));
    PeerProcess p;
    QVERIFY(p.start(tlslab(), {u"serve"_s, u"--listen"_s, u"127.0.0.1:%1"_s.arg(occupier.serverPort())}));
    QVERIFY(p.finish(10000));
    QCOMPARE(p.exitCode(), 1);
    QCOMPARE(
        p.errorOutput(), u"tlslab: port %1 is already in use on 127.0.0.1\n"_s.arg(occupier.serverPort()).toUtf8());
    const QList<QJsonObject> events = jsonLines(p.output());
    QCOMPARE(kinds(events), QStringList {u"listener-failed"_s});
}

void TestCli::serveStopsCleanlyOnSigterm()
{
    PeerProcess serve;
    quint16 port = 0;
    QVERIFY(startServe(serve, port));
    serve.process().terminate(); // SIGTERM
    QVERIFY(serve.finish(10000));
    QCOMPARE(serve.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(serve.exitCode(), 0);
    QVERIFY(kinds(jsonLines(serve.output())).endsWith(u"listener-stopped"_s));
}

// Until something accepts TCP connections on the port (bounded); the connection it makes counts as a client.
static bool waitForPort(quint16 port)
{
    return QTest::qWaitFor(
        [port] {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, port);
            return probe.waitForConnected(200);
        },
        10000);
}

void TestCli::csvAndGrep()
{
    // serve prints CSV (the window's export format) and only the events whose summary contains "encrypted".
    PeerProcess serve;
    const quint16 port = freePort();
    QVERIFY(serve.start(tlslab(),
        {u"serve"_s, u"--listen"_s, u"127.0.0.1:%1"_s.arg(port), u"--max-connections"_s, u"2"_s, u"--format"_s,
            u"csv"_s, u"--grep"_s, u"ENCRYPTED"_s}));
    QVERIFY(waitForPort(port)); // the listener-started line is filtered out; this probe is connection 1 of 2
    PeerProcess connect;
    QVERIFY(connect.start(
        tlslab(), {u"connect"_s, u"127.0.0.1:%1"_s.arg(port), u"--ca"_s, m_devCert, u"--format"_s, u"csv"_s}));
    QVERIFY(connect.finish());
    QCOMPARE(connect.exitCode(), 0);
    QVERIFY(serve.finish());
    QCOMPARE(serve.exitCode(), 0);

    const QByteArray header = "time_us,time,session,side,kind,severity,summary";
    const QList<QByteArray> served = serve.output().trimmed().split('\n');
    QVERIFY2(served.size() >= 2, serve.output().constData());
    QCOMPARE(served.first(), header);
    for (const QByteArray &line : served.mid(1)) {
        QVERIFY2(line.toLower().contains("encrypted"), line.constData());
        QVERIFY2(line.split(',').size() >= 7, line.constData());
    }
    QVERIFY(served.mid(1).join('\n').contains(",server,encrypted,"));

    // connect without a filter: every event, one CSV line each, and no JSON result object in between.
    const QList<QByteArray> lines = connect.output().trimmed().split('\n');
    QCOMPARE(lines.first(), header);
    QVERIFY2(connect.output().contains(",client,tcp-connected,"), connect.output().constData());
    QVERIFY2(connect.output().contains(",client,encrypted,"), connect.output().constData());
    QVERIFY(!connect.output().contains("{\"result\""));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
