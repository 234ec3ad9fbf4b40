// CertificateIo: export and import in PEM, DER and PKCS#12, checked with the openssl program, and the clear errors
// for bad files, wrong passphrases and mismatched keys.

#include "certtestutil.h"
#include "model/certs/certificategenerator.h"
#include "model/certs/certificateio.h"
#include "testutil.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using TlsLab::Test::openssl;

class TestCertificateIo : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    Identity m_ca;
    Identity m_server;
    QString path(const QString &name) const { return m_dir.filePath(name); }
    void write(const QString &name, const QByteArray &data)
    {
        QFile f(path(name));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(data);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        CertificateRequest r;
        r.profile = CertificateProfile::CertificateAuthority;
        r.subject.commonName = u"IO Test CA"_s;
        m_ca = CertificateGenerator::generate(r).value();
        r.profile = CertificateProfile::Server;
        r.keyType = KeyType::Rsa2048;
        r.subject.commonName = u"io.example"_s;
        r.issuer = m_ca;
        m_server = CertificateGenerator::generate(r).value();
        QCOMPARE(m_server.chain.size(), 2);
    }

    void exportFormats()
    {
        using O = CertificateIo::Overwrite;
        QVERIFY(CertificateIo::writeCertificatePem(path(u"s.pem"_s), m_server.leaf(), O::No).ok());
        QVERIFY(CertificateIo::writeChainPem(path(u"s.chain.pem"_s), m_server.chain, O::No).ok());
        QVERIFY(CertificateIo::writeCertificateDer(path(u"s.der"_s), m_server.leaf(), O::No).ok());
        QVERIFY(CertificateIo::writeKeyPem(path(u"s.key"_s), m_server.key, {}, O::No).ok());
        QVERIFY(CertificateIo::writeKeyPem(path(u"s.enc.key"_s), m_server.key, "pass phrase", O::No).ok());
        QVERIFY(CertificateIo::writePkcs12(path(u"s.p12"_s), m_server, "p12pass", O::No, u"io"_s).ok());
        QCOMPARE(TlsLab::Test::fileMode(path(u"s.key"_s)), 0600);
        QCOMPARE(TlsLab::Test::fileMode(path(u"s.enc.key"_s)), 0600);
        QCOMPARE(TlsLab::Test::fileMode(path(u"s.p12"_s)), 0600);
        QCOMPARE(TlsLab::Test::fileMode(path(u"s.pem"_s)), 0644);

        // openssl reads each of them.
        QVERIFY(openssl({u"x509"_s, u"-in"_s, path(u"s.der"_s), u"-inform"_s, u"DER"_s, u"-noout"_s}).ok());
        QVERIFY(openssl({u"pkey"_s, u"-in"_s, path(u"s.enc.key"_s), u"-passin"_s, u"pass:pass phrase"_s, u"-noout"_s})
                    .ok());
        QVERIFY(!openssl({u"pkey"_s, u"-in"_s, path(u"s.enc.key"_s), u"-passin"_s, u"pass:wrong"_s, u"-noout"_s}).ok());
        const auto p12 = openssl(
            {u"pkcs12"_s, u"-in"_s, path(u"s.p12"_s), u"-passin"_s, u"pass:p12pass"_s, u"-nodes"_s, u"-info"_s});
        QVERIFY2(p12.ok(), p12.err.constData());
        QCOMPARE(p12.out.count("BEGIN CERTIFICATE"), 2);
        QVERIFY(p12.out.contains("BEGIN PRIVATE KEY"));
        QVERIFY2(p12.err.contains("AES-256-CBC"), p12.err.constData());
        const auto verify = openssl({u"verify"_s, u"-CAfile"_s, path(u"s.chain.pem"_s), path(u"s.pem"_s)});
        QVERIFY(verify.ok());
    }

    void neverOverwritten()
    {
        using O = CertificateIo::Overwrite;
        write(u"existing.pem"_s, "keep me");
        const Status s = CertificateIo::writeCertificatePem(path(u"existing.pem"_s), m_ca.leaf(), O::No);
        QCOMPARE(s.error(), path(u"existing.pem"_s) + u": already exists (not overwritten)"_s);
        QFile f(path(u"existing.pem"_s));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), QByteArray("keep me"));
        f.close();
        // With the flag, replaced; a world-readable file becomes 0600 when it receives a key.
        QFile::setPermissions(path(u"existing.pem"_s), QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther);
        QVERIFY(CertificateIo::writeKeyPem(path(u"existing.pem"_s), m_ca.key, {}, O::Yes).ok());
        QCOMPARE(TlsLab::Test::fileMode(path(u"existing.pem"_s)), 0600);
        QVERIFY(PrivateKey::fromFile(path(u"existing.pem"_s)).ok());
    }

    void importRoundTrip()
    {
        const auto p12 = CertificateIo::importIdentity(path(u"s.p12"_s), {}, "p12pass");
        QVERIFY2(p12.ok(), qPrintable(p12.error()));
        QCOMPARE(p12->chain, m_server.chain);
        QVERIFY(p12->key.matches(m_server.leaf()));
        const auto pem = CertificateIo::importIdentity(path(u"s.chain.pem"_s), path(u"s.enc.key"_s), "pass phrase");
        QVERIFY2(pem.ok(), qPrintable(pem.error()));
        QCOMPARE(pem->chain.size(), 2);
        const auto der = CertificateIo::readCertificates(path(u"s.der"_s));
        QVERIFY(der.ok());
        QCOMPARE(der->first(), m_server.leaf());
        // A PKCS#12 bundle made by openssl.
        QVERIFY(openssl({u"pkcs12"_s, u"-export"_s, u"-in"_s, path(u"s.chain.pem"_s), u"-inkey"_s, path(u"s.key"_s),
                            u"-passout"_s, u"pass:other"_s, u"-out"_s, path(u"o.p12"_s)})
                    .ok());
        const auto theirs = CertificateIo::importIdentity(path(u"o.p12"_s), {}, "other");
        QVERIFY2(theirs.ok(), qPrintable(theirs.error()));
        QCOMPARE(theirs->leaf(), m_server.leaf());
    }

    void errors_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QByteArray>("passphrase");
        QTest::addColumn<QString>("expected");
        QTest::newRow("p12 wrong passphrase")
            << u"s.p12"_s << QString() << QByteArray("nope") << u"%F: wrong passphrase"_s;
        QTest::newRow("p12 no passphrase")
            << u"s.p12"_s << QString() << QByteArray() << u"%F: a passphrase is needed"_s;
        QTest::newRow("key wrong passphrase")
            << u"s.pem"_s << u"s.enc.key"_s << QByteArray("nope") << u"%K: wrong passphrase"_s;
        QTest::newRow("mismatched key") << u"s.pem"_s << u"ca.key"_s << QByteArray()
                                        << u"%K does not match the certificate in %F"_s;
        QTest::newRow("truncated pem") << u"trunc.pem"_s << u"s.key"_s << QByteArray()
                                       << u"%F: truncated or malformed PEM (certificate 1 has no END line)"_s;
        QTest::newRow("corrupt pem") << u"corrupt.pem"_s << u"s.key"_s << QByteArray()
                                     << u"%F: truncated or malformed PEM (certificate 1: "_s;
        QTest::newRow("truncated der") << u"trunc.der"_s << u"s.key"_s << QByteArray()
                                       << u"%F: truncated DER certificate"_s;
        QTest::newRow("not a certificate")
            << u"text.txt"_s << u"s.key"_s << QByteArray() << u"%F: not a certificate (neither PEM nor DER)"_s;
        QTest::newRow("csr") << u"req.csr"_s << u"s.key"_s << QByteArray()
                             << u"%F: not a certificate (found a certificate signing request)"_s;
        QTest::newRow("empty") << u"empty.pem"_s << u"s.key"_s << QByteArray() << u"%F: empty file"_s;
        QTest::newRow("missing") << u"missing.pem"_s << u"s.key"_s << QByteArray() << u"%F: no such file"_s;
        QTest::newRow("key missing") << u"s.pem"_s << u"missing.key"_s << QByteArray() << u"%K: no such file"_s;
    }

    void errors()
    {
        QFETCH(QString, file);
        QFETCH(QString, key);
        QFETCH(QByteArray, passphrase);
        QFETCH(QString, expected);
        QVERIFY(CertificateIo::writeKeyPem(path(u"ca.key"_s), m_ca.key, {}, CertificateIo::Overwrite::Yes).ok());
        const QByteArray pem = m_server.leaf().toPem();
        write(u"trunc.pem"_s, pem.left(pem.size() / 2));
        QByteArray corrupt = pem;
        corrupt.remove(100, 120);
        write(u"corrupt.pem"_s, corrupt);
        write(u"trunc.der"_s, m_server.leaf().toDer().left(300));
        write(u"text.txt"_s, "just some text\n");
        write(u"empty.pem"_s, {});
        QVERIFY(openssl(
            {u"req"_s, u"-new"_s, u"-key"_s, path(u"s.key"_s), u"-subj"_s, u"/CN=x"_s, u"-out"_s, path(u"req.csr"_s)})
                    .ok());
        const auto result
            = CertificateIo::importIdentity(path(file), key.isEmpty() ? QString() : path(key), passphrase);
        QVERIFY(!result.ok());
        QString e = expected;
        e.replace(u"%F"_s, path(file)).replace(u"%K"_s, path(key));
        QVERIFY2(result.error().startsWith(e), qPrintable(result.error()));
    }

    // Every file input is a regular file read with a size cap: an endless device, a FIFO nobody writes to, or a
    // huge file is a clear error at once, never a read until memory runs out (or a hang).
    void onlyRegularFilesWithACap_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("expected");
        QTest::newRow("/dev/zero") << u"/dev/zero"_s << u"/dev/zero is not a regular file"_s;
        QTest::newRow("/dev/urandom") << u"/dev/urandom"_s << u"/dev/urandom is not a regular file"_s;
        QTest::newRow("fifo") << path(u"fifo"_s) << path(u"fifo"_s) + u" is not a regular file"_s;
        QTest::newRow("100 MB") << path(u"huge.pem"_s)
                                << path(u"huge.pem"_s) + u" is 100 MB; certificate files are at most 1 MB"_s;
        QTest::newRow("just over") << path(u"over.pem"_s)
                                   << path(u"over.pem"_s) + u" is 1048577 bytes; certificate files are at most 1 MB"_s;
    }

    void onlyRegularFilesWithACap()
    {
        QFETCH(QString, file);
        QFETCH(QString, expected);
        if (!QFile::exists(path(u"fifo"_s)))
            QCOMPARE(::mkfifo(QFile::encodeName(path(u"fifo"_s)).constData(), 0600), 0);
        if (!QFile::exists(path(u"huge.pem"_s))) {
            QFile huge(path(u"huge.pem"_s));
            QVERIFY(huge.open(QIODevice::WriteOnly));
            QVERIFY(huge.resize(100 * 1024 * 1024)); // sparse: no disk space used
            write(u"over.pem"_s, QByteArray(CertificateIo::MaxFileBytes + 1, 'A'));
        }
        const auto data = CertificateIo::readFile(file);
        QVERIFY(!data.ok());
        QCOMPARE(data.error(), expected);
        // The same words through every importer that reads files.
        const auto certificates = CertificateIo::readCertificates(file);
        QCOMPARE(certificates.error(), expected);
        const auto key = PrivateKey::fromFile(file);
        QCOMPARE(key.error(), QString(expected).replace(u"certificate files"_s, u"key files"_s));
        const auto identity = CertificateIo::importIdentity(file);
        QCOMPARE(identity.error(), expected);
    }

    void atTheCapIsRead()
    {
        // A file of exactly the cap is read (the cap is inclusive), so a big CA bundle right at it still works.
        QByteArray pem = CertificateIo::certificatesToPem({m_ca.leaf()});
        pem.append(QByteArray(CertificateIo::MaxFileBytes - pem.size(), '\n'));
        write(u"at-cap.pem"_s, pem);
        const auto certificates = CertificateIo::readCertificates(path(u"at-cap.pem"_s));
        QVERIFY2(certificates.ok(), qPrintable(certificates.error()));
        QCOMPARE(certificates->size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestCertificateIo)
#include "tst_certificateio.moc"
