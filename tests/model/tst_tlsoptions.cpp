// The options module the command line and both panels read their TLS settings through: protocol ranges, ALPN lists
// (the 255-byte and empty-name rules of RFC 7301), trust anchors and identities, including a PKCS#12 bundle made by
// `openssl pkcs12 -export`.
#include "model/tls/tlsoptions.h"
#include "peerprocess.h"
#include "testpki.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using namespace TlsLab::Test;

class TestTlsOptions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void protocolRange_data();
    void protocolRange();
    void alpn_data();
    void alpn();
    void badAlpn_data();
    void badAlpn();
    void trustAnchors();
    void identityFromPemFiles();
    void identityFromPkcs12();

private:
    QTemporaryDir m_dir;
    CertFiles m_server;
};

void TestTlsOptions::initTestCase()
{
    QVERIFY(m_dir.isValid());
    TestPki pki(m_dir.path());
    m_server = pki.makeSelfSigned(u"server"_s, u"localhost"_s, u"DNS:localhost"_s);
    QVERIFY2(!m_server.certificate.isEmpty(), qPrintable(pki.lastError()));
}

void TestTlsOptions::protocolRange_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("protocol"); // -1: an error
    QTest::newRow("1.2") << u"1.2"_s << int(QSsl::TlsV1_2);
    QTest::newRow("1.3") << u"1.3"_s << int(QSsl::TlsV1_3);
    QTest::newRow("1.2+") << u"1.2+"_s << int(QSsl::TlsV1_2OrLater);
    QTest::newRow("TLSv1.3+") << u" TLSv1.3+ "_s << int(QSsl::TlsV1_3OrLater);
    QTest::newRow("1.1") << u"1.1"_s << -1;
    QTest::newRow("empty") << QString() << -1;
}

void TestTlsOptions::protocolRange()
{
    QFETCH(QString, text);
    QFETCH(int, protocol);
    const auto range = TlsOptions::protocolRange(text);
    QCOMPARE(range.ok(), protocol >= 0);
    if (range)
        QCOMPARE(int(*range), protocol);
    else
        QCOMPARE(range.error(), u"\"%1\" is not a TLS version range: use 1.2, 1.3, 1.2+ or 1.3+"_s.arg(text));
}

void TestTlsOptions::alpn_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QList<QByteArray>>("protocols");
    QTest::newRow("two") << u"h2,http/1.1"_s << QList<QByteArray> {"h2", "http/1.1"};
    QTest::newRow("spaces") << u" h2 , http/1.1 "_s << QList<QByteArray> {"h2", "http/1.1"};
    QTest::newRow("blank") << u"  "_s << QList<QByteArray> {};
    QTest::newRow("255 bytes") << QString(255, u'a') << QList<QByteArray> {QByteArray(255, 'a')};
    QTest::newRow("UTF-8") << u"é"_s << QList<QByteArray> {QByteArray("\xc3\xa9")};
}

void TestTlsOptions::alpn()
{
    QFETCH(QString, text);
    QFETCH(QList<QByteArray>, protocols);
    const auto parsed = TlsOptions::alpnProtocols(text);
    QVERIFY2(parsed.ok(), qPrintable(parsed.error()));
    QCOMPARE(parsed.value(), protocols);
}

void TestTlsOptions::badAlpn_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    const QString shown = QString(24, u'a') + u'…';
    QTest::newRow("256 bytes") << QString(
        256, u'a') << u"ALPN: the protocol name \"%1\" is 256 bytes long; at most 255 are allowed"_s.arg(shown);
    // 128 characters, but 256 bytes on the wire: the limit counts bytes.
    QTest::newRow("256 bytes of UTF-8") << QString(128, u'é')
                                        << u"ALPN: the protocol name \"%1…\" is 256 bytes long; at most 255 are "
                                           "allowed"_s.arg(QString(24, u'é'));
    QTest::newRow("empty name") << u"h2,,http/1.1"_s << u"ALPN: protocol name 2 of 3 in \"h2,,http/1.1\" is empty"_s;
    QTest::newRow("trailing comma") << u"h2,"_s << u"ALPN: protocol name 2 of 2 in \"h2,\" is empty"_s;
    QTest::newRow("only a comma") << u","_s << u"ALPN: protocol name 1 of 2 in \",\" is empty"_s;
}

void TestTlsOptions::badAlpn()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    const auto parsed = TlsOptions::alpnProtocols(text);
    QVERIFY(!parsed.ok());
    QCOMPARE(parsed.error(), message);
}

void TestTlsOptions::trustAnchors()
{
    const auto anchors = TlsOptions::trustAnchors(m_server.certificate);
    QVERIFY2(anchors.ok(), qPrintable(anchors.error()));
    QCOMPARE(anchors->size(), 1);
    QCOMPARE(anchors->first().subjectInfo(QSslCertificate::CommonName), QStringList {u"localhost"_s});

    const QString missing = m_dir.filePath(u"missing.pem"_s);
    QCOMPARE(TlsOptions::trustAnchors(missing).error(), missing + u": no such file"_s);
    // A key is not a trust anchor, and the message says what was found.
    QCOMPARE(
        TlsOptions::trustAnchors(m_server.key).error(), m_server.key + u": not a certificate (found a private key)"_s);
}

void TestTlsOptions::identityFromPemFiles()
{
    const auto identity = TlsOptions::identity(m_server.certificate, m_server.key);
    QVERIFY2(identity.ok(), qPrintable(identity.error()));
    QCOMPARE(identity->leaf().subjectInfo(QSslCertificate::CommonName), QStringList {u"localhost"_s});
    QVERIFY(!identity->key.isNull());
    QCOMPARE(TlsOptions::identity({}).error(), u"no certificate file given"_s);
    // Certificate and key in one file, key path left empty.
    const QString combined = m_dir.filePath(u"combined.pem"_s);
    QFile out(combined);
    QVERIFY(out.open(QIODevice::WriteOnly));
    for (const QString &path : {m_server.certificate, m_server.key}) {
        QFile in(path);
        QVERIFY(in.open(QIODevice::ReadOnly));
        out.write(in.readAll());
    }
    out.close();
    QVERIFY(TlsOptions::identity(combined).ok());
}

void TestTlsOptions::identityFromPkcs12()
{
    const QString bundle = m_dir.filePath(u"server.p12"_s);
    int code = -1;
    const QByteArray output = PeerProcess::run(u"openssl"_s,
        {u"pkcs12"_s, u"-export"_s, u"-in"_s, m_server.certificate, u"-inkey"_s, m_server.key, u"-passout"_s,
            u"pass:bundle pass"_s, u"-out"_s, bundle},
        {}, &code);
    QVERIFY2(code == 0, output.constData());

    const auto identity = TlsOptions::identity(bundle, {}, "bundle pass");
    QVERIFY2(identity.ok(), qPrintable(identity.error()));
    const auto pem = TlsOptions::identity(m_server.certificate, m_server.key);
    QCOMPARE(identity->leaf(), pem->leaf());
    QVERIFY(identity->key.matches(pem->leaf()));
    QCOMPARE(TlsOptions::identity(bundle, {}, "wrong").error(), bundle + u": wrong passphrase"_s);
    QCOMPARE(TlsOptions::identity(bundle).error(), bundle + u": a passphrase is needed"_s);
}

QTEST_GUILESS_MAIN(TestTlsOptions)
#include "tst_tlsoptions.moc"
