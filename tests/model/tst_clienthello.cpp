// The first-bytes classifier, on real ClientHellos captured from openssl and gnutls, on every prefix of them
// (a client may send one byte at a time), on every TLS record type and the SSLv2-format hello, and on plaintext and
// garbage.
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
    void initTestCase();
    void realClientHellos_data();
    void realClientHellos();
    void everyPrefixIsTls();
    void recordTypes_data();
    void recordTypes();
    void sslv2ClientHello();
    void http_data();
    void http();
    void plaintext();
    void malformed_data();
    void malformed();
    void randomBytesNeverCrash();

private:
    // What a real client sends first, captured by a plain TCP server.
    QByteArray capture(const QString &program, const QStringList &arguments);
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
            // The whole first record.
            return bytes.size() >= 5 && bytes.size() >= 5 + (quint8(bytes.at(3)) << 8 | quint8(bytes.at(4)));
        },
        10000);
    socket->abort();
    return complete ? bytes : QByteArray();
}

void TestClientHello::initTestCase()
{
    m_opensslHello = capture(u"openssl"_s,
        {u"s_client"_s, u"-connect"_s, u"127.0.0.1:PORT"_s, u"-servername"_s, u"example.test"_s, u"-alpn"_s,
            u"h2,http/1.1"_s});
    QVERIFY2(!m_opensslHello.isEmpty(), "no ClientHello captured from openssl s_client");
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
    QCOMPARE(first.kind, FirstBytes::Kind::TlsHandshake);
    QVERIFY2(first.problem.isEmpty(), qPrintable(first.problem));
    QVERIFY(first.helloComplete);
    QCOMPARE(first.hello.serverName, sni);
    QStringList offered;
    for (const QByteArray &p : first.hello.alpn)
        offered.append(QString::fromLatin1(p));
    QCOMPARE(offered, alpn);
    QCOMPARE(first.hello.highestVersion(), highest);
    QVERIFY(!first.hello.cipherSuites.isEmpty());
    QVERIFY(first.hello.extensionCount > 3);
    // The same message, parsed on its own (as the TLS tap hands it over).
    ClientHelloInfo alone;
    QCOMPARE(parseClientHelloMessage(hello.mid(5), alone), QString());
    QCOMPARE(alone.serverName, sni);
}

void TestClientHello::everyPrefixIsTls()
{
    // Records may arrive in 1-byte pieces: one byte says nothing yet; two say TLS, and no prefix is misclassified or
    // called malformed (the TLS stack reads the rest, however it is split).
    QCOMPARE(classifyFirstBytes(m_opensslHello.left(1)).kind, FirstBytes::Kind::NeedMore);
    for (qsizetype n = 2; n < m_opensslHello.size(); ++n) {
        const FirstBytes f = classifyFirstBytes(m_opensslHello.left(n));
        if (f.kind != FirstBytes::Kind::TlsHandshake || !f.problem.isEmpty() || f.helloComplete)
            QFAIL(qPrintable(
                u"prefix of %1 bytes classified as %2 (%3)"_s.arg(n).arg(kindDescription(f.kind), f.problem)));
    }
    // The same ClientHello split over two handshake records: TLS, handed over without a verdict on the first record.
    const QByteArray body = m_opensslHello.mid(5);
    const QByteArray header = m_opensslHello.left(3);
    auto record = [&header](const QByteArray &payload) -> QByteArray {
        QByteArray r = header;
        r.append(char(payload.size() >> 8));
        r.append(char(payload.size() & 0xff));
        return r + payload;
    };
    const FirstBytes split = classifyFirstBytes(QByteArray(record(body.left(40)) + record(body.mid(40))));
    QCOMPARE(split.kind, FirstBytes::Kind::TlsHandshake);
    QVERIFY(split.problem.isEmpty());
    QVERIFY(!split.helloComplete);
    // Split into 1-byte records (a valid hello, which the listener completes; found by the soak): the bytes after the
    // first record are the next record's header, not the message's length.
    QByteArray tiny;
    for (qsizetype i = 0; i < body.size(); ++i)
        tiny += record(body.mid(i, 1));
    for (qsizetype n : {qsizetype(6), qsizetype(12), tiny.size()}) {
        const FirstBytes f = classifyFirstBytes(tiny.left(n));
        QCOMPARE(f.kind, FirstBytes::Kind::TlsHandshake);
        QVERIFY2(f.problem.isEmpty(), qPrintable(f.problem));
        QVERIFY(!f.helloComplete);
    }
}

void TestClientHello::recordTypes_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("name");
    QTest::newRow("ChangeCipherSpec") << QByteArray::fromHex("140303000101") << int(FirstBytes::Kind::TlsRecord)
                                      << u"ChangeCipherSpec"_s;
    QTest::newRow("Alert") << QByteArray::fromHex("15030100020228") << int(FirstBytes::Kind::TlsRecord) << u"Alert"_s;
    QTest::newRow("ApplicationData") << QByteArray::fromHex("1703030005") + "hello" << int(FirstBytes::Kind::TlsRecord)
                                     << u"ApplicationData"_s;
    QTest::newRow("Heartbeat") << QByteArray::fromHex("180302") << int(FirstBytes::Kind::TlsRecord) << u"Heartbeat"_s;
    QTest::newRow("not 3.x") << QByteArray::fromHex("1547450a") << int(FirstBytes::Kind::Plaintext) << QString();
}

void TestClientHello::recordTypes()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, kind);
    QFETCH(QString, name);
    const FirstBytes f = classifyFirstBytes(bytes);
    QCOMPARE(int(f.kind), kind);
    if (!name.isEmpty())
        QCOMPARE(recordTypeName(f.recordType), name);
}

void TestClientHello::sslv2ClientHello()
{
    // SSLv2 record header (2 bytes, top bit set), CLIENT-HELLO (1), version 3.1, then the cipher specs.
    const QByteArray v2 = QByteArray::fromHex("802e0103010015000000100000390000380000350000330000320000"
                                              "2f00000a0000050000040000ff")
        + QByteArray(16, 'r');
    const FirstBytes f = classifyFirstBytes(v2);
    QCOMPARE(f.kind, FirstBytes::Kind::Sslv2ClientHello);
    QCOMPARE(f.hello.legacyVersion, quint16(0x0301));
    QCOMPARE(classifyFirstBytes(v2.left(4)).kind, FirstBytes::Kind::NeedMore);
    // The top bit alone is not enough: random binary is refused as not TLS.
    QCOMPARE(classifyFirstBytes(QByteArray::fromHex("80ff10a0b0c0d0e0")).kind, FirstBytes::Kind::Plaintext);
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
    QTest::newRow("not a ClientHello") << QByteArray::fromHex("1603010009") + "helloxxxx" << u"not a ClientHello"_s;
    QTest::newRow("length") << QByteArray::fromHex("160301ffff01000000") << u"impossible length"_s;
    QTest::newRow("truncated hello") << QByteArray::fromHex("16030100080100000403030000") << u"truncated"_s;
}

void TestClientHello::malformed()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, problem);
    // Still TLS: handed to the TLS stack (which answers with the alert a TLS server owes), with the problem named.
    const FirstBytes f = classifyFirstBytes(bytes);
    QCOMPARE(f.kind, FirstBytes::Kind::TlsHandshake);
    QVERIFY2(f.problem.contains(problem), qPrintable(f.problem));
}

void TestClientHello::randomBytesNeverCrash()
{
    // A small, bounded fuzz: random records that start like TLS, and random mutations of a real ClientHello.
    auto *rng = QRandomGenerator::global();
    int classified = 0;
    for (int i = 0; i < 20000; ++i) {
        QByteArray bytes = m_opensslHello;
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
