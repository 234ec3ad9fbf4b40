// The plaintext payloads the window and the command line send: one definition of the text line, the HTTP GET and the
// hex rules, checked byte for byte.
#include "model/tls/plaintextpayload.h"

#include <QTest>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;

class TestPlaintextPayload : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void payloads_data();
    void payloads();
    void badHex_data();
    void badHex();
    void examplesAreValid();
};

void TestPlaintextPayload::payloads_data()
{
    QTest::addColumn<PayloadKind>("kind");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("bytes");
    const QByteArray get = "GET / HTTP/1.1\r\nHost: 127.0.0.1:4481\r\nUser-Agent: TLS Lab\r\nConnection: close\r\n\r\n";
    QTest::newRow("line") << PayloadKind::TextLine << u"hello"_s << QByteArray("hello\n");
    QTest::newRow("empty line") << PayloadKind::TextLine << QString() << QByteArray("\n");
    QTest::newRow("line, UTF-8") << PayloadKind::TextLine << u"grüß"_s << QByteArray("gr\xc3\xbc\xc3\x9f\n");
    QTest::newRow("GET /") << PayloadKind::HttpGet << u"/"_s << get;
    QTest::newRow("GET, empty path") << PayloadKind::HttpGet << QString() << get;
    QTest::newRow("GET, path without slash")
        << PayloadKind::HttpGet << u" index.html "_s
        << QByteArray(
               "GET /index.html HTTP/1.1\r\nHost: 127.0.0.1:4481\r\nUser-Agent: TLS Lab\r\nConnection: close\r\n\r\n");
    QTest::newRow("hex, spaces") << PayloadKind::RawHex << u"16 03 01 00 05"_s << QByteArray("\x16\x03\x01\x00\x05", 5);
    QTest::newRow("hex, colons") << PayloadKind::RawHex << u"16:03:01"_s << QByteArray("\x16\x03\x01");
    QTest::newRow("hex, 0x and case") << PayloadKind::RawHex << u"0xDeadBEEF"_s << QByteArray("\xde\xad\xbe\xef");
    QTest::newRow("hex, lines and tabs") << PayloadKind::RawHex << u"68 65\n6c\t6c\r\n6f"_s << QByteArray("hello");
    QTest::newRow("nothing") << PayloadKind::Nothing << u"ignored"_s << QByteArray();
}

void TestPlaintextPayload::payloads()
{
    QFETCH(PayloadKind, kind);
    QFETCH(QString, text);
    QFETCH(QByteArray, bytes);
    const Result<QByteArray> payload = makePayload(kind, text, u"127.0.0.1:4481"_s);
    QVERIFY2(payload.ok(), qPrintable(payload.error()));
    QCOMPARE(payload.value(), bytes);
}

void TestPlaintextPayload::badHex_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("odd") << u"160"_s << u"the hex payload has an odd number of digits (3)"_s;
    QTest::newRow("not hex") << u"16 zz"_s << u"the hex payload contains \"z\", which is not a hex digit"_s;
    QTest::newRow("empty") << u"  "_s << u"the hex payload has no hex digits"_s;
    QTest::newRow("only 0x") << u"0x"_s << u"the hex payload has no hex digits"_s;
}

void TestPlaintextPayload::badHex()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    const Result<QByteArray> payload = makePayload(PayloadKind::RawHex, text, u"h"_s);
    QVERIFY(!payload.ok());
    QCOMPARE(payload.error(), message);
}

void TestPlaintextPayload::examplesAreValid()
{
    // The example a form fills in for each choice must itself be accepted.
    for (PayloadKind kind : {PayloadKind::TextLine, PayloadKind::HttpGet, PayloadKind::RawHex, PayloadKind::Nothing}) {
        const auto payload = makePayload(kind, examplePayloadText(kind), u"h"_s);
        QVERIFY2(payload.ok(), qPrintable(payload.error()));
        QCOMPARE(payload.value().isEmpty(), kind == PayloadKind::Nothing);
    }
}

QTEST_GUILESS_MAIN(TestPlaintextPayload)
#include "tst_plaintextpayload.moc"
