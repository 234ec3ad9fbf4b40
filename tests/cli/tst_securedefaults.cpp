// Secure defaults, each checked the way a user meets it, through the real tlslab binary and real peers on loopback:
// verification on (a self-signed openssl s_server is refused), TLS 1.2 as the minimum (both ends refuse TLS 1.1),
// a loopback listener, keys, key logs and captures 0600 even under umask 000, secrets out of logs and captures
// unless asked, passphrases never stored, and a warning whenever a default is relaxed.
//
// What other tests already cover is not repeated here: keys 0600 from the certificate I/O, the dialog and the
// development certificate (tst_certificateio, tst_certificatedialog, tst_devcertificate, tst_certcli), the key log
// lines and 0600 of --keylog (tst_tap), the window's settings without the passphrase (tst_mainwindow), the
// 0.0.0.0 warning text (tst_cli).
#include "model/tls/client.h"
#include "model/tls/listener.h"
#include "peerprocess.h"
#include "testutil.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QHostAddress>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Test;

namespace {

// The passphrase of the encrypted key: a string that appears nowhere else, so finding it anywhere is a leak.
constexpr auto Passphrase = "pw-7f3a9c2e-never-printed";

// Runs tlslab under umask 000 (the most permissive a user can have): files must still come out 0600.
QStringList underUmask000(const QStringList &arguments)
{
    return QStringList {u"-c"_s, u"umask 000; exec \"$0\" \"$@\""_s, tlslab()} + arguments;
}

// Every file under folder whose content contains needle.
QStringList filesContaining(const QString &folder, const QByteArray &needle)
{
    QStringList out;
    QDirIterator it(folder, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        if (file.open(QIODevice::ReadOnly) && file.readAll().contains(needle))
            out.append(path);
    }
    return out;
}

} // namespace

class TestSecureDefaults : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void modelDefaults();
    void verificationIsOnByDefault();
    void serveRefusesTls11();
    void connectRefusesTls11();
    void olderVersionsCannotBeAskedFor_data();
    void olderVersionsCannotBeAskedFor();
    void listenerIsLoopbackByDefault();
    void relaxingADefaultWarns_data();
    void relaxingADefaultWarns();
    void secretFilesAre0600UnderUmask000();
    void secretsStayOutOfLogsAndCaptures();

private:
    QString path(const QString &name) const { return m_dir.filePath(name); }
    bool startOpensslServer(PeerProcess &server, quint16 &port, const QStringList &extra);
    bool startServe(PeerProcess &serve, quint16 &port, const QStringList &extra, bool umask000 = false);
    // One openssl s_client handshake against port; returns its output (exit code in *code).
    QByteArray opensslClient(quint16 port, const QStringList &extra, int *code);

    QTemporaryDir m_dir;
    QString m_cert, m_key, m_encryptedKey;
};

void TestSecureDefaults::initTestCase()
{
    QVERIFY2(QFile::exists(tlslab()), "TLSLAB_BINARY must name the built tlslab");
    QVERIFY(m_dir.isValid());
    // Every tlslab process of this test gets its own data folder and home: whatever it stores is found there.
    qputenv("TLSLAB_DATA_DIR", path(u"data"_s).toUtf8());
    qputenv("HOME", path(u"home"_s).toUtf8());
    qputenv("XDG_CONFIG_HOME", path(u"home/.config"_s).toUtf8());
    qputenv("XDG_DATA_HOME", path(u"home/.local/share"_s).toUtf8());
    qputenv("XDG_CACHE_HOME", path(u"home/.cache"_s).toUtf8());
    qputenv("TLSLAB_TEST_PASSPHRASE", Passphrase);
    QVERIFY(QDir().mkpath(path(u"home"_s)));

    m_cert = path(u"self-signed.pem"_s);
    m_key = path(u"self-signed.key"_s);
    int code = -1;
    const QByteArray out = PeerProcess::run(u"openssl"_s,
        {u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:P-256"_s, u"-nodes"_s,
            u"-subj"_s, u"/CN=localhost"_s, u"-addext"_s, u"subjectAltName=DNS:localhost,IP:127.0.0.1"_s, u"-days"_s,
            u"2"_s, u"-keyout"_s, m_key, u"-out"_s, m_cert},
        {}, &code);
    QVERIFY2(code == 0, out.constData());
    m_encryptedKey = path(u"encrypted.key"_s);
    PeerProcess::run(u"openssl"_s,
        {u"pkey"_s, u"-in"_s, m_key, u"-aes256"_s, u"-passout"_s, u"pass:"_s + QLatin1StringView(Passphrase), u"-out"_s,
            m_encryptedKey},
        {}, &code);
    QCOMPARE(code, 0);
}

bool TestSecureDefaults::startOpensslServer(PeerProcess &server, quint16 &port, const QStringList &extra)
{
    port = freePort();
    // Input stays open: s_server ends when its standard input does.
    if (!server.start(u"openssl"_s,
            QStringList {u"s_server"_s, u"-accept"_s, u"127.0.0.1:%1"_s.arg(port), u"-naccept"_s, u"1"_s, u"-cert"_s,
                m_cert, u"-key"_s, m_key}
                + extra,
            {}, false))
        return false;
    return server.waitForOutput("ACCEPT");
}

bool TestSecureDefaults::startServe(PeerProcess &serve, quint16 &port, const QStringList &extra, bool umask000)
{
    port = freePort();
    const QStringList arguments = QStringList {u"serve"_s, u"--listen"_s, u"127.0.0.1:%1"_s.arg(port)} + extra;
    const bool started
        = umask000 ? serve.start(u"/bin/sh"_s, underUmask000(arguments)) : serve.start(tlslab(), arguments);
    return started && serve.waitForOutput("listener-started");
}

QByteArray TestSecureDefaults::opensslClient(quint16 port, const QStringList &extra, int *code)
{
    return PeerProcess::run(u"openssl"_s,
        QStringList {u"s_client"_s, u"-connect"_s, u"127.0.0.1:%1"_s.arg(port), u"-servername"_s, u"localhost"_s}
            + extra,
        "Q\n", code);
}

void TestSecureDefaults::modelDefaults()
{
    // What the window and the command line start from when the user changes nothing.
    const ListenerConfig listener;
    QCOMPARE(listener.address, QHostAddress(QHostAddress::LocalHost));
    QCOMPARE(listener.protocol, QSsl::SecureProtocols);
    const ClientConfig client;
    QVERIFY(!client.continueOnVerifyErrors);
    QCOMPARE(client.protocol, QSsl::SecureProtocols);
    QVERIFY(client.keyLogPath.isEmpty());
    QVERIFY(listener.keyLogPath.isEmpty());
}

void TestSecureDefaults::verificationIsOnByDefault()
{
    // A self-signed server that is not ours: refused by default (exit 5: not trusted), with no warning printed.
    PeerProcess server;
    quint16 port = 0;
    QVERIFY(startOpensslServer(server, port, {}));
    PeerProcess connect;
    QVERIFY(connect.start(tlslab(), {u"connect"_s, u"127.0.0.1:%1"_s.arg(port), u"--servername"_s, u"localhost"_s}));
    QVERIFY(connect.finish());
    QCOMPARE(connect.exitCode(), 5);
    QVERIFY2(!connect.errorOutput().contains("warning:"), connect.errorOutput().constData());
    QVERIFY2(connect.output().contains("self-signed") || connect.output().contains("self signed"),
        connect.output().constData());

    // The same server with --insecure: connected, and the relaxation said out loud.
    PeerProcess server2;
    QVERIFY(startOpensslServer(server2, port, {}));
    PeerProcess insecure;
    QVERIFY(insecure.start(
        tlslab(), {u"connect"_s, u"127.0.0.1:%1"_s.arg(port), u"--servername"_s, u"localhost"_s, u"--insecure"_s}));
    QVERIFY(insecure.finish());
    QCOMPARE(insecure.exitCode(), 0);
    QVERIFY2(insecure.errorOutput().contains("warning: --insecure"), insecure.errorOutput().constData());
}

void TestSecureDefaults::serveRefusesTls11()
{
    PeerProcess serve;
    quint16 port = 0;
    QVERIFY(startServe(serve, port, {u"--max-connections"_s, u"2"_s, u"--no-capture"_s}));
    // TLS 1.1 offered with every old cipher allowed on the client's side: the version alone is refused.
    int code = -1;
    const QByteArray old = opensslClient(port, {u"-tls1_1"_s, u"-cipher"_s, u"DEFAULT@SECLEVEL=0"_s}, &code);
    QVERIFY2(code != 0, old.constData());
    QVERIFY2(old.contains("Cipher is (NONE)"), old.constData());
    // The same client offering TLS 1.2 is served: the refusal above was the version.
    const QByteArray current = opensslClient(port, {u"-tls1_2"_s, u"-cipher"_s, u"DEFAULT@SECLEVEL=0"_s}, &code);
    QVERIFY2(current.contains("Protocol  : TLSv1.2") || current.contains("Protocol: TLSv1.2"), current.constData());
    QVERIFY2(!current.contains("Cipher is (NONE)"), current.constData());
    QVERIFY(serve.finish());
    QCOMPARE(serve.exitCode(), 0);
    // The listener recorded the refused handshake as a failure, not as an encrypted session.
    int encrypted = 0;
    int failed = 0;
    for (const QJsonObject &e : jsonLines(serve.output())) {
        const QString kind = e.value(u"kind"_s).toString();
        encrypted += kind == u"encrypted";
        failed += kind == u"handshake-failed";
    }
    QCOMPARE(encrypted, 1);
    QVERIFY2(failed >= 1, serve.output().constData());
}

void TestSecureDefaults::connectRefusesTls11()
{
    // A server that speaks only TLS 1.1: our client refuses it even when told to ignore certificate errors.
    PeerProcess server;
    quint16 port = 0;
    QVERIFY(startOpensslServer(server, port, {u"-tls1_1"_s, u"-cipher"_s, u"DEFAULT@SECLEVEL=0"_s}));
    PeerProcess connect;
    QVERIFY(connect.start(tlslab(),
        {u"connect"_s, u"127.0.0.1:%1"_s.arg(port), u"--servername"_s, u"localhost"_s, u"--insecure"_s, u"--text"_s}));
    QVERIFY(connect.finish());
    QVERIFY2(connect.exitCode() != 0, connect.output().constData());
    QVERIFY2(!connect.output().contains("Encrypted"), connect.output().constData());
}

void TestSecureDefaults::olderVersionsCannotBeAskedFor_data()
{
    QTest::addColumn<QString>("range");
    for (const char *range : {"1.0", "1.1", "1.0+", "1.1+", "1.0-1.3"})
        QTest::newRow(range) << QString::fromLatin1(range);
}

void TestSecureDefaults::olderVersionsCannotBeAskedFor()
{
    // No option brings TLS 1.0 or 1.1 back: a usage error on both ends.
    QFETCH(QString, range);
    for (const QString &command : {u"serve"_s, u"connect"_s}) {
        PeerProcess process;
        const QString address = u"127.0.0.1:%1"_s.arg(freePort());
        const QStringList where = command == u"serve" ? QStringList {u"--listen"_s, address} : QStringList {address};
        QVERIFY(process.start(tlslab(), QStringList {command} + where + QStringList {u"--tls"_s, range}));
        QVERIFY(process.finish());
        QCOMPARE(process.exitCode(), 2);
        QVERIFY2(process.errorOutput().contains("is not a TLS version range"), process.errorOutput().constData());
    }
}

void TestSecureDefaults::listenerIsLoopbackByDefault()
{
    // `tlslab serve` with no --listen: 127.0.0.1 (its port 4481 may be taken on a shared machine: then the error
    // names the address it tried), and no warning.
    PeerProcess serve;
    QVERIFY(serve.start(tlslab(), {u"serve"_s, u"--no-capture"_s}));
    QVERIFY(serve.waitForOutput("listener-started") || serve.waitForOutput("4481"));
    serve.process().terminate();
    QVERIFY(serve.finish());
    const QByteArray all = serve.output() + serve.errorOutput();
    QVERIFY2(!serve.errorOutput().contains("warning:"), serve.errorOutput().constData());
    bool started = false;
    for (const QJsonObject &e : jsonLines(serve.output())) {
        if (e.value(u"kind"_s).toString() == u"listener-started") {
            started = true;
            QVERIFY2(e.value(u"summary"_s).toString().contains(u"127.0.0.1:4481"_s), all.constData());
        }
    }
    if (!started)
        QVERIFY2(all.contains("127.0.0.1:4481") || all.contains("127.0.0.1 port 4481"), all.constData());
}

void TestSecureDefaults::relaxingADefaultWarns_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QByteArray>("warning");
    // Nothing listens or connects beyond loopback: the serve rows stop before listening (the warning comes first),
    // the connect rows at a closed port.
    const QString closed = u"127.0.0.1:%1"_s.arg(freePort());
    const QString keys = path(u"relaxed.keys"_s);
    QTest::newRow("serve on all interfaces (*)") << QStringList {u"serve"_s, u"--listen"_s, u"*:%1"_s.arg(freePort()),
        u"--cert"_s, u"/nonexistent.pem"_s} << QByteArray("warning: listening on all interfaces");
    QTest::newRow("serve on all IPv6 interfaces")
        << QStringList {u"serve"_s, u"--listen"_s, u"[::]:%1"_s.arg(freePort()), u"--cert"_s, u"/nonexistent.pem"_s}
        << QByteArray("warning: listening on all interfaces");
    // (--tls bogus stops serve after its options are read, before it listens.)
    QTest::newRow("serve --keylog") << QStringList {u"serve"_s, u"--listen"_s, closed, u"--keylog"_s, keys, u"--tls"_s,
        u"bogus"_s} << QByteArray("warning: writing TLS secrets");
    QTest::newRow("connect --keylog") << QStringList {u"connect"_s, closed, u"--keylog"_s, keys}
                                      << QByteArray("warning: writing TLS secrets");
    QTest::newRow("connect --insecure") << QStringList {u"connect"_s, closed, u"--insecure"_s}
                                        << QByteArray("warning: --insecure");
    // The defaults themselves warn about nothing.
    QTest::newRow("connect, defaults") << QStringList {u"connect"_s, closed} << QByteArray();
    QTest::newRow("serve on loopback IPv6") << QStringList {u"serve"_s, u"--listen"_s, u"[::1]:%1"_s.arg(freePort()),
        u"--cert"_s, u"/nonexistent.pem"_s} << QByteArray();
}

void TestSecureDefaults::relaxingADefaultWarns()
{
    QFETCH(QStringList, arguments);
    QFETCH(QByteArray, warning);
    PeerProcess process;
    QVERIFY(process.start(tlslab(), arguments));
    QVERIFY(process.finish());
    QVERIFY(process.exitCode() != 0); // each row stops before listening or at a closed port
    const QByteArray err = process.errorOutput();
    if (warning.isEmpty())
        QVERIFY2(!err.contains("warning:"), err.constData());
    else
        QVERIFY2(err.contains(warning), err.constData());
}

void TestSecureDefaults::secretFilesAre0600UnderUmask000()
{
    // A generated key under umask 000.
    QVERIFY(QDir().mkpath(path(u"umask"_s)));
    int code = -1;
    const QByteArray made = PeerProcess::run(u"/bin/sh"_s,
        underUmask000({u"cert"_s, u"new"_s, u"--profile"_s, u"self-signed"_s, u"--cn"_s, u"umask.test"_s, u"--out"_s,
            path(u"umask/server"_s)}),
        {}, &code);
    QVERIFY2(code == 0, made.constData());
    QCOMPARE(fileMode(path(u"umask/server.key"_s)), 0600);

    // serve under umask 000 with a key log, a capture and a pcapng export: each 0600, the development key too, and
    // the data folders it made are not open to others.
    QVERIFY(QDir(path(u"data"_s)).removeRecursively());
    const QString keyLog = path(u"umask/serve.keys"_s);
    const QString capture = path(u"umask/serve.tlscap"_s);
    const QString pcap = path(u"umask/serve.pcapng"_s);
    PeerProcess serve;
    quint16 port = 0;
    QVERIFY(startServe(serve, port,
        {u"--keylog"_s, keyLog, u"--capture"_s, capture, u"--capture-wire"_s, u"--pcap"_s, pcap, u"--max-connections"_s,
            u"1"_s},
        true));
    const QByteArray client = opensslClient(port, {u"-tls1_3"_s}, &code);
    QVERIFY2(client.contains("TLSv1.3"), client.constData());
    QVERIFY(serve.finish());
    QCOMPARE(serve.exitCode(), 0);
    QCOMPARE(fileMode(keyLog), 0600);
    QVERIFY(QFileInfo(keyLog).size() > 0);
    QCOMPARE(fileMode(capture), 0600);
    QCOMPARE(fileMode(pcap), 0600);
    QCOMPARE(fileMode(path(u"data/tlslab-dev.key"_s)), 0600);
    QCOMPARE(fileMode(path(u"data"_s)) & 0077, 0);
}

void TestSecureDefaults::secretsStayOutOfLogsAndCaptures()
{
    // serve with an encrypted key whose passphrase comes from the environment and its capture in the data folder:
    // a TLS 1.3 client connects. The passphrase is in no output and no file; no TLS secret is in the output or the
    // capture.
    QVERIFY(QDir(path(u"data"_s)).removeRecursively());
    const QStringList identity
        = {u"--cert"_s, m_cert, u"--key"_s, m_encryptedKey, u"--passphrase-env"_s, u"TLSLAB_TEST_PASSPHRASE"_s};
    // The openssl command that reproduces it names the key file, never the passphrase.
    PeerProcess reproduce;
    QVERIFY(reproduce.start(tlslab(), QStringList {u"serve"_s, u"--print-command"_s} + identity));
    QVERIFY(reproduce.finish());
    QVERIFY2(reproduce.output().contains(m_encryptedKey.toUtf8()), reproduce.output().constData());
    QVERIFY(!QByteArray(reproduce.output() + reproduce.errorOutput()).contains(Passphrase));

    PeerProcess serve;
    quint16 port = 0;
    QVERIFY(startServe(serve, port, identity + QStringList {u"--max-connections"_s, u"1"_s}));
    int code = -1;
    const QByteArray client = opensslClient(port, {u"-tls1_3"_s}, &code);
    QVERIFY2(client.contains("TLSv1.3"), client.constData());
    QVERIFY(serve.finish());
    QCOMPARE(serve.exitCode(), 0);
    const QByteArray printed = serve.output() + serve.errorOutput();
    QVERIFY2(printed.contains("encrypted"), printed.constData()); // the connection was recorded
    QVERIFY(!printed.contains(Passphrase));
    for (const char *secret : {"CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET"})
        QVERIFY2(!printed.contains(secret), secret);
    QVERIFY2(!printed.contains("PRIVATE KEY"), printed.constData());

    const QStringList captures = QDir(path(u"data/captures"_s)).entryList({u"*.tlscap"_s}, QDir::Files);
    QCOMPARE(captures.size(), 1);
    const QString capture = path(u"data/captures/"_s + captures.first());
    QFile file(capture);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QVERIFY(bytes.size() > 100);
    QVERIFY(!bytes.contains(Passphrase));
    QVERIFY(!bytes.contains("TRAFFIC_SECRET"));
    QVERIFY(!bytes.contains("PRIVATE KEY"));
    // The capture holds no key log lines: `tlslab show --keylog` says so.
    PeerProcess show;
    QVERIFY(show.start(tlslab(), {u"show"_s, capture, u"--keylog"_s, path(u"from-capture.keys"_s)}));
    QVERIFY(show.finish());
    QVERIFY2(show.exitCode() != 0, show.errorOutput().constData());
    QVERIFY2(show.errorOutput().contains("no key log lines"), show.errorOutput().constData());

    // Passphrases are never stored: no file this run wrote anywhere (data folder, home, configuration) holds it.
    const QStringList leaks
        = filesContaining(path(u"data"_s), Passphrase) + filesContaining(path(u"home"_s), Passphrase);
    QVERIFY2(leaks.isEmpty(), qPrintable(leaks.join(u", "_s)));

    // The check can fail: with --keylog (asked), the secrets are in the capture and `show --keylog` finds them.
    const QString asked = path(u"asked.tlscap"_s);
    PeerProcess withKeys;
    QVERIFY(startServe(
        withKeys, port, {u"--keylog"_s, path(u"asked.keys"_s), u"--capture"_s, asked, u"--max-connections"_s, u"1"_s}));
    opensslClient(port, {u"-tls1_3"_s}, &code);
    QVERIFY(withKeys.finish());
    QFile askedFile(asked);
    QVERIFY(askedFile.open(QIODevice::ReadOnly));
    QVERIFY(askedFile.readAll().contains("TRAFFIC_SECRET"));
}

QTEST_GUILESS_MAIN(TestSecureDefaults)
#include "tst_securedefaults.moc"
