// DevCertificate: made once in TLSLAB_DATA_DIR with a 0600 key, reused while valid, made anew when expired or broken.

#include "certtestutil.h"
#include "model/certs/certificategenerator.h"
#include "model/certs/certificateio.h"
#include "model/certs/devcertificate.h"
#include "testutil.h"

#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>

#include <QtTest>
#include <sys/stat.h>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;

class TestDevCertificate : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        qputenv("TLSLAB_DATA_DIR", QFile::encodeName(m_dir.filePath(u"data"_s)));
    }

    void createdOnce()
    {
        QCOMPARE(DevCertificate::directory(), m_dir.filePath(u"data"_s));
        QVERIFY(!QFile::exists(DevCertificate::keyPath()));
        const mode_t oldMask = ::umask(0); // even with a permissive umask the key is private
        auto first = DevCertificate::loadOrCreate();
        ::umask(oldMask);
        QVERIFY2(first.ok(), qPrintable(first.error()));
        QVERIFY(first->isDevelopmentCertificate);
        QCOMPARE(first->description(), u"ECDSA P-256 development certificate"_s);
        QCOMPARE(TlsLab::Test::fileMode(DevCertificate::keyPath()), 0600);
        QCOMPARE(TlsLab::Test::fileMode(DevCertificate::directory()), 0700);
        const QSslCertificate leaf = first->leaf();
        QCOMPARE(leaf.subjectInfo(QSslCertificate::CommonName), QStringList {u"localhost"_s});
        const auto sans = leaf.subjectAlternativeNames();
        QCOMPARE(sans.values(QSsl::DnsEntry), QList<QString> {u"localhost"_s});
        QVERIFY(sans.values(QSsl::IpAddressEntry).contains(u"127.0.0.1"_s));
        const QStringList ips = sans.values(QSsl::IpAddressEntry);
        QVERIFY2(ips.size() == 2 && ips.contains(u"127.0.0.1"_s) && ips.contains(u"::1"_s), qPrintable(ips.join(u' ')));
        const auto verify = TlsLab::Test::openssl({u"verify"_s, u"-purpose"_s, u"sslserver"_s, u"-verify_ip"_s,
            u"127.0.0.1"_s, u"-CAfile"_s, DevCertificate::certificatePath(), DevCertificate::certificatePath()});
        QVERIFY2(verify.ok(), verify.err.constData());
        // Clients that trust it can talk to it.
        QVERIFY(TlsLab::Test::handshake(*first, first->chain).encrypted);

        auto second = DevCertificate::loadOrCreate();
        QVERIFY(second.ok());
        QVERIFY(second->isDevelopmentCertificate);
        QCOMPARE(second->sha256Fingerprint(), first->sha256Fingerprint());
    }

    void regeneratedWhenExpired()
    {
        const QString before = DevCertificate::loadOrCreate()->sha256Fingerprint();
        CertificateRequest r;
        r.subject.commonName = u"localhost"_s;
        r.notBefore = QDateTime::currentDateTimeUtc().addDays(-40);
        r.notAfter = QDateTime::currentDateTimeUtc().addDays(-1);
        auto expired = CertificateGenerator::generate(r);
        QVERIFY(expired.ok());
        QVERIFY(CertificateIo::writeKeyPem(DevCertificate::keyPath(), expired->key, {}, CertificateIo::Overwrite::Yes)
                    .ok());
        QVERIFY(CertificateIo::writeCertificatePem(
            DevCertificate::certificatePath(), expired->leaf(), CertificateIo::Overwrite::Yes)
                    .ok());
        auto renewed = DevCertificate::loadOrCreate();
        QVERIFY2(renewed.ok(), qPrintable(renewed.error()));
        QVERIFY(renewed->sha256Fingerprint() != before);
        QVERIFY(renewed->leaf() != expired->leaf());
        QVERIFY(renewed->leaf().expiryDate() > QDateTime::currentDateTimeUtc().addDays(300));
        QCOMPARE(TlsLab::Test::fileMode(DevCertificate::keyPath()), 0600);
    }

    void regeneratedWhenUnreadable()
    {
        const QString before = DevCertificate::loadOrCreate()->sha256Fingerprint();
        QFile f(DevCertificate::keyPath());
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write("-----BEGIN PRIVATE KEY-----\nMIIB\n");
        f.close();
        auto renewed = DevCertificate::loadOrCreate();
        QVERIFY2(renewed.ok(), qPrintable(renewed.error()));
        QVERIFY(renewed->sha256Fingerprint() != before);
        QVERIFY(CertificateIo::loadIdentity(DevCertificate::certificatePath(), DevCertificate::keyPath()).ok());
    }

    // A data folder named by TLSLAB_DATA_DIR that exists (maybe shared) keeps its mode; folders TLS Lab makes are 0700
    // even under umask 000, parents included.
    void folderModes()
    {
        const QByteArray saved = qgetenv("TLSLAB_DATA_DIR");
        const QString shared = m_dir.filePath(u"shared"_s);
        QVERIFY(QDir().mkpath(shared));
        QVERIFY(QFile::setPermissions(shared,
            QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner | QFile::ReadGroup | QFile::ExeGroup
                | QFile::ReadOther | QFile::ExeOther));
        qputenv("TLSLAB_DATA_DIR", QFile::encodeName(shared));
        const mode_t oldMask = ::umask(0);
        const auto inShared = DevCertificate::loadOrCreate();
        qputenv("TLSLAB_DATA_DIR", QFile::encodeName(m_dir.filePath(u"new/nested/data"_s)));
        const auto inNew = DevCertificate::loadOrCreate();
        ::umask(oldMask);
        qputenv("TLSLAB_DATA_DIR", saved);
        QVERIFY2(inShared.ok(), qPrintable(inShared.error()));
        QVERIFY2(inNew.ok(), qPrintable(inNew.error()));
        QCOMPARE(TlsLab::Test::fileMode(shared), 0755);
        QCOMPARE(TlsLab::Test::fileMode(shared + u"/tlslab-dev.key"_s), 0600);
        QCOMPARE(TlsLab::Test::fileMode(m_dir.filePath(u"new"_s)), 0700);
        QCOMPARE(TlsLab::Test::fileMode(m_dir.filePath(u"new/nested"_s)), 0700);
        QCOMPARE(TlsLab::Test::fileMode(m_dir.filePath(u"new/nested/data"_s)), 0700);
    }
};

QTEST_GUILESS_MAIN(TestDevCertificate)
#include "tst_devcertificate.moc"
