// The first-bytes classifier, on real ClientHellos captured from openssl and gnutls, on every prefix of them
// (a client may send one byte at a time), and on plaintext and garbage.
#include "model/tls/clienthello.h"
#include "peerprocess.h"

#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Test;

class TestClientHello : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void realClientHellos_data();
    void realClientHellos();
    void everyPrefixNeedsMore();
    void http_data();
    void http();
    void plaintext();
    void malformed_data();
    void malformed();
    void randomBytesNeverCrash();

private:
    // What a real client sends first, captured by a plain TCP server.
    QByteArray capture(const QString &program, const QStringList &arguments);
    // A real openssl ClientHello, captured by whichever test needs it first, so each test also runs alone.
    QByteArray opensslHello();
    QByteArray m_opensslHello;
};

QByteArray TestClientHello::capture(const QString &program, const QStringList &argumentsTemplate)
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return {};
    QStringList arguments = argumentsTemplate;
    for (QString &a : arguments)
        a.replace(u"PORT"_s, QString::number(server.serverPort()));
    PeerProcess peer;
    if (!peer.start(program, arguments, {}, false))
        return {};
    if (!server.waitForNewConnection(10000))
        return {};
    QTcpSocket *socket = server.nextPendingConnection();
    QByteArray bytes;
    const bool complete = QTest::qWaitFor(
        [&] {
            socket->waitForReadyRead(50);
            bytes += socket->readAll();
            return classifyFirstBytes(bytes).kind != FirstBytes::Kind::NeedMore;
        },
        10000);
    socket->abort();
    return complete ? bytes : QByteArray();
}

QByteArray TestClientHello::opensslHello()
{
    if (m_opensslHello.isEmpty())
        m_opensslHello = capture(u"openssl"_s,
            {u"s_client"_s, u"-connect"_s, u"127.0.0.1:PORT"_s, u"-servername"_s, u"example.test"_s, u"-alpn"_s,
                u"h2,http/1.1"_s});
    return m_opensslHello;
}

void TestClientHello::realClientHellos_data()
{
    QTest::addColumn<QString>("program");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("sni");
    QTest::addColumn<QStringList>("alpn");
    QTest::addColumn<quint16>("highest");

    QTest::newRow("openssl s_client") << u"openssl"_s
                                      << QStringList {u"s_client"_s, u"-connect"_s, u"127.0.0.1:PORT"_s,
                                             u"-servername"_s, u"example.test"_s, u"-alpn"_s, u"h2,http/1.1"_s}
                                      << u"example.test"_s << QStringList {u"h2"_s, u"http/1.1"_s} << quint16(0x0304);
    QTest::newRow("openssl s_client TLS 1.2 only") << u"openssl"_s
                                                   << QStringList {u"s_client"_s, u"-connect"_s, u"127.0.0.1:PORT"_s,
                                                          u"-servername"_s, u"old.example"_s, u"-tls1_2"_s}
                                                   << u"old.example"_s << QStringList {} << quint16(0x0303);
    QTest::newRow("gnutls-cli") << u"gnutls-cli"_s
                                << QStringList {u"--sni-hostname"_s, u"gnutls.example"_s, u"--alpn"_s, u"acme-tls/1"_s,
                                       u"-p"_s, u"PORT"_s, u"127.0.0.1"_s}
                                << u"gnutls.example"_s << QStringList {u"acme-tls/1"_s} << quint16(0x0304);
}

void TestClientHello::realClientHellos()
{
    QFETCH(QString, program);
    QFETCH(QStringList, arguments);
    QFETCH(QString, sni);
    QFETCH(QStringList, alpn);
    QFETCH(quint16, highest);

    const QByteArray hello = capture(program, arguments);
    QVERIFY2(!hello.isEmpty(), "no bytes captured");
    const FirstBytes first = classifyFirstBytes(hello);
    QCOMPARE(first.kind, FirstBytes::Kind::TlsClientHello);
    QCOMPARE(first.hello.serverName, sni);
    QStringList offered;
    for (const QByteArray &p : first.hello.alpn)
        offered.append(QString::fromLatin1(p));
    QCOMPARE(offered, alpn);
    QCOMPARE(first.hello.highestVersion(), highest);
    QVERIFY(!first.hello.cipherSuites.isEmpty());
    QVERIFY(first.hello.extensionCount > 3);
}

void TestClientHello::everyPrefixNeedsMore()
{
    const QByteArray hello = opensslHello();
    QVERIFY2(!hello.isEmpty(), "no bytes captured");
    QCOMPARE(classifyFirstBytes(hello).kind, FirstBytes::Kind::TlsClientHello);
    // Records may arrive in 1-byte pieces: every proper prefix must ask for more, never misclassify.
    for (qsizetype n = 1; n < hello.size(); ++n) {
        const FirstBytes f = classifyFirstBytes(hello.left(n));
        if (f.kind != FirstBytes::Kind::NeedMore)
            QFAIL(qPrintable(u"prefix of %1 bytes classified as %2"_s.arg(n).arg(kindDescription(f.kind))));
    }
    // The same ClientHello split over two handshake records is still understood.
    const QByteArray body = hello.mid(5);
    const QByteArray header = hello.left(3);
    auto record = [&header](const QByteArray &payload) -> QByteArray {
        QByteArray r = header;
        r.append(char(payload.size() >> 8));
        r.append(char(payload.size() & 0xff));
        return r + payload;
    };
    const QByteArray split = QByteArray(record(body.left(40)) + record(body.mid(40)));
    QCOMPARE(classifyFirstBytes(split).kind, FirstBytes::Kind::TlsClientHello);
    QCOMPARE(classifyFirstBytes(split).hello.serverName, u"example.test"_s);
}

void TestClientHello::http_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("target");
    QTest::newRow("GET") << QByteArray("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n") << u"GET"_s << u"/index.html"_s;
    QTest::newRow("POST") << QByteArray("POST /api HTTP/1.1\r\n") << u"POST"_s << u"/api"_s;
    QTest::newRow("CONNECT") << QByteArray("CONNECT example.test:443 HTTP/1.1\r\n") << u"CONNECT"_s
                             << u"example.test:443"_s;
}

void TestClientHello::http()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, method);
    QFETCH(QString, target);
    const FirstBytes f = classifyFirstBytes(bytes);
    QCOMPARE(f.kind, FirstBytes::Kind::Http);
    QCOMPARE(f.httpMethod, method);
    QCOMPARE(f.httpTarget, target);
    // Until the request line is complete, wait.
    QCOMPARE(classifyFirstBytes(bytes.left(3)).kind, FirstBytes::Kind::NeedMore);
    QCOMPARE(classifyFirstBytes(bytes.left(method.size() + 3)).kind, FirstBytes::Kind::NeedMore);
}

void TestClientHello::plaintext()
{
    FirstBytes f = classifyFirstBytes("hello\n");
    QCOMPARE(f.kind, FirstBytes::Kind::Plaintext);
    QVERIFY(f.printable);
    f = classifyFirstBytes(QByteArray::fromHex("00ff10a0b0c0d0e0"));
    QCOMPARE(f.kind, FirstBytes::Kind::Plaintext);
    QVERIFY(!f.printable);
    QCOMPARE(classifyFirstBytes({}).kind, FirstBytes::Kind::NeedMore);
}

void TestClientHello::malformed_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("problem");
    QTest::newRow("not a ClientHello") << QByteArray::fromHex("1603010005") + "hello" << u"not a ClientHello"_s;
    QTest::newRow("version") << QByteArray::fromHex("1609090005") + "hello" << u"not TLS"_s;
    QTest::newRow("length") << QByteArray::fromHex("160301ffff") << u"impossible length"_s;
    QTest::newRow("truncated hello") << QByteArray::fromHex("16030100080100000403030000") << u"truncated"_s;
}

void TestClientHello::malformed()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, problem);
    const FirstBytes f = classifyFirstBytes(bytes);
    QCOMPARE(f.kind, FirstBytes::Kind::TlsMalformed);
    QVERIFY2(f.problem.contains(problem), qPrintable(f.problem));
}

void TestClientHello::randomBytesNeverCrash()
{
    // A small, bounded fuzz: random records that start like TLS, and random mutations of a real ClientHello.
    const QByteArray hello = opensslHello();
    QVERIFY2(!hello.isEmpty(), "no bytes captured");
    auto *rng = QRandomGenerator::global();
    int classified = 0;
    for (int i = 0; i < 20000; ++i) {
        QByteArray bytes = hello;
        const int flips = 1 + int(rng->bounded(8));
        for (int j = 0; j < flips; ++j)
            bytes[int(rng->bounded(quint32(bytes.size())))] = char(rng->bounded(256));
        if (i % 2)
            bytes.truncate(int(rng->bounded(quint32(bytes.size()))) + 1);
        const FirstBytes f = classifyFirstBytes(bytes);
        classified += f.kind != FirstBytes::Kind::NeedMore;
    }
    QVERIFY(classified > 0);
}

QTEST_GUILESS_MAIN(TestClientHello)
#include "tst_clienthello.moc"
