// PrivateKey and Identity against keys and certificates made by the openssl program, and a real Qt handshake with
// each key type (Ed25519 included, which QSslKey cannot read from PEM).

#include "certtestutil.h"
#include "model/certs/certificateio.h"
#include "model/certs/identity.h"
#include "model/certs/privatekey.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using TlsLab::Test::openssl;

class TestPrivateKey : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString path(const QString &name) const { return m_dir.filePath(name); }
    static QByteArray readAll(const QString &file)
    {
        QFile f(file);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }
    static void write(const QString &file, const QByteArray &data)
    {
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(data);
    }
    // The public key as openssl sees it, for comparing keys.
    QByteArray publicPem(const QString &keyFile, const QString &pass = {})
    {
        QStringList args {u"pkey"_s, u"-in"_s, keyFile, u"-pubout"_s};
        if (!pass.isEmpty())
            args << u"-passin"_s << u"pass:"_s + pass;
        return openssl(args).out;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(openssl({u"genpkey"_s, u"-algorithm"_s, u"RSA"_s, u"-pkeyopt"_s, u"rsa_keygen_bits:2048"_s, u"-out"_s,
                            path(u"rsa.pem"_s)})
                    .ok());
        QVERIFY(openssl({u"genpkey"_s, u"-algorithm"_s, u"EC"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:P-384"_s, u"-out"_s,
                            path(u"ec.pem"_s)})
                    .ok());
        QVERIFY(openssl({u"genpkey"_s, u"-algorithm"_s, u"ED25519"_s, u"-out"_s, path(u"ed.pem"_s)}).ok());
        for (const QString &k : {u"rsa"_s, u"ec"_s, u"ed"_s}) {
            QVERIFY(openssl(
                {u"pkey"_s, u"-in"_s, path(k + u".pem"_s), u"-outform"_s, u"DER"_s, u"-out"_s, path(k + u".der"_s)})
                        .ok());
            QVERIFY(openssl({u"pkey"_s, u"-in"_s, path(k + u".pem"_s), u"-aes256"_s, u"-passout"_s, u"pass:s3cret"_s,
                                u"-out"_s, path(k + u".enc.pem"_s)})
                        .ok());
            QVERIFY(openssl(
                {u"req"_s, u"-x509"_s, u"-key"_s, path(k + u".pem"_s), u"-subj"_s, u"/CN=localhost"_s, u"-addext"_s,
                    u"subjectAltName=DNS:localhost,IP:127.0.0.1"_s, u"-days"_s, u"2"_s, u"-out"_s, path(k + u".crt"_s)})
                        .ok());
        }
        QVERIFY(openssl({u"rsa"_s, u"-in"_s, path(u"rsa.pem"_s), u"-traditional"_s, u"-out"_s, path(u"rsa.trad.pem"_s)})
                    .ok());
        QVERIFY(openssl({u"rsa"_s, u"-in"_s, path(u"rsa.pem"_s), u"-traditional"_s, u"-aes256"_s, u"-passout"_s,
                            u"pass:s3cret"_s, u"-out"_s, path(u"rsa.trad.enc.pem"_s)})
                    .ok());
        QVERIFY(openssl({u"ec"_s, u"-in"_s, path(u"ec.pem"_s), u"-out"_s, path(u"ec.trad.pem"_s)}).ok());
        // DER forms besides PKCS#8: the traditional RSA and EC structures, and encrypted PKCS#8.
        QVERIFY(openssl({u"rsa"_s, u"-in"_s, path(u"rsa.pem"_s), u"-traditional"_s, u"-outform"_s, u"DER"_s, u"-out"_s,
                            path(u"rsa.trad.der"_s)})
                    .ok());
        QVERIFY(
            openssl({u"ec"_s, u"-in"_s, path(u"ec.pem"_s), u"-outform"_s, u"DER"_s, u"-out"_s, path(u"ec.trad.der"_s)})
                .ok());
        QVERIFY(openssl({u"pkcs8"_s, u"-topk8"_s, u"-in"_s, path(u"ec.pem"_s), u"-v2"_s, u"aes-256-cbc"_s,
                            u"-passout"_s, u"pass:s3cret"_s, u"-outform"_s, u"DER"_s, u"-out"_s, path(u"ec.enc.der"_s)})
                    .ok());
        QVERIFY(readAll(path(u"rsa.trad.pem"_s)).contains("BEGIN RSA PRIVATE KEY"));
        QVERIFY(readAll(path(u"rsa.trad.enc.pem"_s)).contains("Proc-Type: 4,ENCRYPTED"));
        QVERIFY(readAll(path(u"ec.trad.pem"_s)).contains("BEGIN EC PRIVATE KEY"));
    }

    void formats_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("base");
        QTest::addColumn<QByteArray>("passphrase");
        QTest::addColumn<QString>("description");
        const QList<std::pair<QString, QString>> kinds {
            {u"rsa"_s, u"RSA 2048 bits"_s}, {u"ec"_s, u"ECDSA P-384"_s}, {u"ed"_s, u"Ed25519"_s}};
        for (const auto &[k, description] : kinds) {
            QTest::newRow(qPrintable(k + u" pkcs8"_s)) << k + u".pem"_s << k << QByteArray() << description;
            QTest::newRow(qPrintable(k + u" der"_s)) << k + u".der"_s << k << QByteArray() << description;
            QTest::newRow(qPrintable(k + u" encrypted pkcs8"_s))
                << k + u".enc.pem"_s << k << QByteArray("s3cret") << description;
        }
        QTest::newRow("rsa traditional") << u"rsa.trad.pem"_s << u"rsa"_s << QByteArray() << u"RSA 2048 bits"_s;
        QTest::newRow("rsa traditional encrypted")
            << u"rsa.trad.enc.pem"_s << u"rsa"_s << QByteArray("s3cret") << u"RSA 2048 bits"_s;
        QTest::newRow("ec traditional") << u"ec.trad.pem"_s << u"ec"_s << QByteArray() << u"ECDSA P-384"_s;
        QTest::newRow("rsa traditional der") << u"rsa.trad.der"_s << u"rsa"_s << QByteArray() << u"RSA 2048 bits"_s;
        QTest::newRow("ec traditional der") << u"ec.trad.der"_s << u"ec"_s << QByteArray() << u"ECDSA P-384"_s;
        QTest::newRow("ec encrypted der") << u"ec.enc.der"_s << u"ec"_s << QByteArray("s3cret") << u"ECDSA P-384"_s;
    }

    void formats()
    {
        QFETCH(QString, file);
        QFETCH(QString, base);
        QFETCH(QByteArray, passphrase);
        QFETCH(QString, description);
        const auto key = PrivateKey::fromFile(path(file), passphrase);
        QVERIFY2(key.ok(), qPrintable(key.error()));
        QCOMPARE(key->description(), description);
        QVERIFY(!key->toSslKey().isNull());
        // Written back as PKCS#8, openssl reads the same key.
        const QString out = path(file + u".out.pem"_s);
        write(out, key->toPem());
        QVERIFY(readAll(out).startsWith("-----BEGIN PRIVATE KEY-----"));
        QCOMPARE(publicPem(out), publicPem(path(base + u".pem"_s)));
        // And encrypted with AES-256.
        const QString enc = path(file + u".out.enc.pem"_s);
        write(enc, key->toPem("pw"));
        QVERIFY(readAll(enc).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        QCOMPARE(publicPem(enc, u"pw"_s), publicPem(path(base + u".pem"_s)));
        const auto parsed = openssl({u"asn1parse"_s, u"-in"_s, enc}).out;
        QVERIFY2(parsed.contains("aes-256-cbc"), parsed.constData());
        // The key matches its certificate.
        QSslCertificate cert = QSslCertificate::fromPath(path(base + u".crt"_s)).value(0);
        QVERIFY(key->matches(cert));
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QByteArray>("passphrase");
        QTest::addColumn<QString>("expected");
        const QByteArray enc = readAll(path(u"ec.enc.pem"_s));
        const QByteArray rsa = readAll(path(u"rsa.pem"_s));
        QTest::newRow("wrong passphrase pkcs8") << enc << QByteArray("nope") << u"F: wrong passphrase"_s;
        QTest::newRow("wrong passphrase traditional")
            << readAll(path(u"rsa.trad.enc.pem"_s)) << QByteArray("nope") << u"F: wrong passphrase"_s;
        QTest::newRow("no passphrase") << enc << QByteArray() << u"F: the key is encrypted; a passphrase is needed"_s;
        QTest::newRow("certificate") << readAll(path(u"rsa.crt"_s)) << QByteArray()
                                     << u"F: not a private key (found a certificate)"_s;
        QTest::newRow("der certificate") << QSslCertificate::fromPath(path(u"ec.crt"_s)).value(0).toDer()
                                         << QByteArray() << u"F: not a private key (found a certificate)"_s;
        QTest::newRow("truncated") << rsa.left(rsa.size() / 2) << QByteArray()
                                   << u"F: truncated or malformed PEM (no END line)"_s;
        QByteArray damaged = rsa;
        damaged.remove(200, 300);
        QTest::newRow("cut in the middle") << damaged << QByteArray() << u"F: truncated or malformed PEM"_s;
        const QByteArray encDer = readAll(path(u"ec.enc.der"_s));
        QTest::newRow("encrypted der, no passphrase")
            << encDer << QByteArray() << u"F: the key is encrypted; a passphrase is needed"_s;
        QTest::newRow("encrypted der, wrong passphrase") << encDer << QByteArray("nope") << u"F: wrong passphrase"_s;
        // A DER SEQUENCE that starts like a key (a version INTEGER) but is not one.
        QTest::newRow("der sequence, not a key") << QByteArray::fromHex("3006020100020101") << QByteArray()
                                                 << u"F: not a private key (neither PEM nor DER key data)"_s;
        // A key label over a certificate's body.
        QByteArray certBody = readAll(path(u"rsa.crt"_s));
        certBody.replace("CERTIFICATE", "PRIVATE KEY");
        QTest::newRow("key label, certificate body")
            << certBody << QByteArray() << u"F: truncated or malformed PEM (not a key structure)"_s;
        QTest::newRow("empty") << QByteArray("\n") << QByteArray() << u"F: empty file"_s;
        QTest::newRow("garbage") << QByteArray("hello world") << QByteArray()
                                 << u"F: not a private key (neither PEM nor DER key data)"_s;
    }

    void errors()
    {
        QFETCH(QByteArray, data);
        QFETCH(QByteArray, passphrase);
        QFETCH(QString, expected);
        const auto key = PrivateKey::fromData(data, passphrase, u"F"_s);
        QVERIFY(!key.ok());
        QVERIFY2(key.error().startsWith(expected), qPrintable(key.error()));
    }

    void missingFile()
    {
        const auto key = PrivateKey::fromFile(path(u"nothing.pem"_s));
        QCOMPARE(key.error(), path(u"nothing.pem"_s) + u": no such file"_s);
    }

    void identityLoads()
    {
        const auto identity = CertificateIo::loadIdentity(path(u"ec.crt"_s), path(u"ec.enc.pem"_s), "s3cret");
        QVERIFY2(identity.ok(), qPrintable(identity.error()));
        QCOMPARE(identity->chain.size(), 1);
        QCOMPARE(identity->description(), u"ECDSA P-384 certificate CN=localhost"_s);
        const QByteArray fp
            = openssl({u"x509"_s, u"-in"_s, path(u"ec.crt"_s), u"-noout"_s, u"-fingerprint"_s, u"-sha256"_s})
                  .out.trimmed();
        QCOMPARE(u"sha256 Fingerprint="_s + identity->sha256Fingerprint(), QString::fromLatin1(fp));
        // A chain file: two certificates.
        write(path(u"chain.pem"_s), readAll(path(u"ec.crt"_s)) + readAll(path(u"rsa.crt"_s)));
        const auto chained = CertificateIo::loadIdentity(path(u"chain.pem"_s), path(u"ec.pem"_s));
        QVERIFY2(chained.ok(), qPrintable(chained.error()));
        QCOMPARE(chained->chain.size(), 2);
        // DER certificate.
        write(path(u"ed.der.crt"_s), QSslCertificate::fromPath(path(u"ed.crt"_s)).value(0).toDer());
        const auto der = CertificateIo::loadIdentity(path(u"ed.der.crt"_s), path(u"ed.der"_s));
        QVERIFY2(der.ok(), qPrintable(der.error()));
    }

    void identityErrors_data()
    {
        QTest::addColumn<QString>("cert");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("expected");
        QTest::newRow("mismatch") << u"ec.crt"_s << u"rsa.pem"_s << u"%K does not match the certificate in %C"_s;
        QTest::newRow("missing cert") << u"none.crt"_s << u"rsa.pem"_s << u"%C: no such file"_s;
        QTest::newRow("key as cert") << u"rsa.pem"_s << u"rsa.pem"_s
                                     << u"%C: not a certificate (found a private key)"_s;
        QTest::newRow("empty cert") << u"empty.crt"_s << u"rsa.pem"_s << u"%C: empty file"_s;
        QTest::newRow("truncated cert") << u"trunc.crt"_s << u"rsa.pem"_s
                                        << u"%C: truncated or malformed PEM (certificate 1 has no END line)"_s;
        QTest::newRow("directory") << u"."_s << u"rsa.pem"_s << u"%C: is a directory, not a file"_s;
        QTest::newRow("cert as key") << u"rsa.crt"_s << u"rsa.crt"_s
                                     << u"%K: not a private key (found a certificate)"_s;
    }

    void identityErrors()
    {
        QFETCH(QString, cert);
        QFETCH(QString, key);
        QFETCH(QString, expected);
        write(path(u"empty.crt"_s), {});
        const QByteArray crt = readAll(path(u"rsa.crt"_s));
        write(path(u"trunc.crt"_s), crt.left(crt.size() - 40));
        const auto identity = CertificateIo::loadIdentity(path(cert), path(key));
        QVERIFY(!identity.ok());
        QString e = expected;
        e.replace(u"%C"_s, path(cert)).replace(u"%K"_s, path(key));
        QCOMPARE(identity.error(), e);
    }

    void handshake_data()
    {
        QTest::addColumn<QString>("base");
        QTest::newRow("rsa") << u"rsa"_s;
        QTest::newRow("ec") << u"ec"_s;
        QTest::newRow("ed25519") << u"ed"_s;
    }

    void handshake()
    {
        QFETCH(QString, base);
        const auto identity = CertificateIo::loadIdentity(path(base + u".crt"_s), path(base + u".pem"_s));
        QVERIFY2(identity.ok(), qPrintable(identity.error()));
        const auto h = TlsLab::Test::handshake(*identity, identity->chain);
        QVERIFY2(h.encrypted, qPrintable(h.clientError + u" / "_s + h.serverError));
        QVERIFY(h.clientErrors.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestPrivateKey)
#include "tst_privatekey.moc"
