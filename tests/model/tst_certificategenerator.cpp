// CertificateGenerator: every profile and key type checked by the openssl program for its purpose, real Qt handshakes
// with the results, expired and not-yet-valid certificates rejected for that reason, and prompt cancellation.

#include "certtestutil.h"
#include "model/certs/certificategenerator.h"
#include "model/certs/certificateio.h"

#include <QFile>
#include <QProcess>
#include <QSslConfiguration>
#include <QSslServer>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <thread>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using TlsLab::Test::openssl;

Q_DECLARE_METATYPE(TlsLab::Model::KeyType)
Q_DECLARE_METATYPE(TlsLab::Model::CertificateProfile)

class TestCertificateGenerator : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    Identity m_ca;
    Identity m_intermediate;

    QString path(const QString &name) const { return m_dir.filePath(name); }
    void writePem(const QString &file, const QList<QSslCertificate> &certs)
    {
        QVERIFY(CertificateIo::writeChainPem(path(file), certs, CertificateIo::Overwrite::Yes).ok());
    }
    static CertificateRequest request(CertificateProfile profile, KeyType type, const QString &cn)
    {
        CertificateRequest r;
        r.profile = profile;
        r.keyType = type;
        r.subject.commonName = cn;
        r.subject.organization = u"TLS Lab tests"_s;
        return r;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        auto ca = CertificateGenerator::generate(
            request(CertificateProfile::CertificateAuthority, KeyType::EcP384, u"TLS Lab Test Root"_s));
        QVERIFY2(ca.ok(), qPrintable(ca.error()));
        m_ca = *ca;
        auto r = request(CertificateProfile::IntermediateCa, KeyType::EcP256, u"TLS Lab Test Intermediate"_s);
        r.issuer = m_ca;
        auto intermediate = CertificateGenerator::generate(r);
        QVERIFY2(intermediate.ok(), qPrintable(intermediate.error()));
        m_intermediate = *intermediate;
        QCOMPARE(m_intermediate.chain.size(), 2);
        writePem(u"root.pem"_s, {m_ca.leaf()});
        writePem(u"intermediate.pem"_s, {m_intermediate.leaf()});
    }

    void names()
    {
        for (auto t :
            {KeyType::Rsa2048, KeyType::Rsa3072, KeyType::Rsa4096, KeyType::EcP256, KeyType::EcP384, KeyType::Ed25519})
            QCOMPARE(keyTypeFromName(keyTypeName(t)), t);
        QCOMPARE(keyTypeName(KeyType::EcP256), u"ec-p256"_s);
        QCOMPARE(profileFromName(u"self-signed"), CertificateProfile::SelfSignedServer);
        QCOMPARE(profileName(CertificateProfile::IntermediateCa), u"intermediate"_s);
        QVERIFY(!keyTypeFromName(u"dsa-1024"));
    }

    void profiles_data()
    {
        QTest::addColumn<CertificateProfile>("profile");
        QTest::addColumn<KeyType>("keyType");
        for (auto p : {CertificateProfile::SelfSignedServer, CertificateProfile::CertificateAuthority,
                 CertificateProfile::IntermediateCa, CertificateProfile::Server, CertificateProfile::Client}) {
            for (auto t : {KeyType::Rsa2048, KeyType::Rsa3072, KeyType::Rsa4096, KeyType::EcP256, KeyType::EcP384,
                     KeyType::Ed25519}) {
                if (t == KeyType::Rsa4096 && p != CertificateProfile::Server)
                    continue; // slow; one profile is enough to show it works
                QTest::newRow(qPrintable(profileName(p) + u' ' + keyTypeName(t))) << p << t;
            }
        }
    }

    void profiles()
    {
        QFETCH(CertificateProfile, profile);
        QFETCH(KeyType, keyType);
        auto r = request(profile, keyType, u"test.example"_s);
        r.subjectAltNames = {u"DNS:test.example"_s, u"DNS:*.wild.example"_s, u"IP:127.0.0.1"_s, u"IP:::1"_s,
            u"email:admin@test.example"_s, u"URI:https://test.example/id"_s};
        const bool signedByCa
            = profile != CertificateProfile::SelfSignedServer && profile != CertificateProfile::CertificateAuthority;
        if (signedByCa)
            r.issuer = profile == CertificateProfile::IntermediateCa ? m_ca : m_intermediate;
        auto identity = CertificateGenerator::generate(r);
        QVERIFY2(identity.ok(), qPrintable(identity.error()));
        QVERIFY(identity->key.matches(identity->leaf()));
        QCOMPARE(identity->chain.size(), signedByCa ? 1 + r.issuer->chain.size() : 1);

        const QString leafFile = path(u"leaf.pem"_s);
        writePem(u"leaf.pem"_s, {identity->leaf()});
        const QString text = QString::fromUtf8(openssl({u"x509"_s, u"-in"_s, leafFile, u"-noout"_s, u"-text"_s}).out);
        QVERIFY(text.contains(u"Version: 3 (0x2)"_s));
        QVERIFY(text.contains(u"X509v3 Subject Key Identifier"_s));
        QVERIFY(text.contains(u"X509v3 Authority Key Identifier"_s));
        QVERIFY(text.contains(u"Netscape Comment"_s));
        QVERIFY(
            text.contains(u"DNS:test.example, DNS:*.wild.example, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, "
                          "email:admin@test.example, URI:https://test.example/id"_s));
        // A random, positive 16-byte serial.
        const QByteArray serial = identity->leaf().serialNumber();
        QCOMPARE(serial.count(':'), 15);

        QStringList verify {u"verify"_s, u"-x509_strict"_s};
        switch (profile) {
        case CertificateProfile::SelfSignedServer:
            QVERIFY(text.contains(u"TLS Web Server Authentication"_s));
            verify << u"-purpose"_s << u"sslserver"_s << u"-verify_hostname"_s << u"test.example"_s << u"-CAfile"_s
                   << leafFile;
            break;
        case CertificateProfile::CertificateAuthority:
            QVERIFY(text.contains(u"X509v3 Basic Constraints: critical\n                CA:TRUE"_s));
            QVERIFY(text.contains(u"Certificate Sign, CRL Sign"_s));
            verify << u"-purpose"_s << u"crlsign"_s << u"-CAfile"_s << leafFile;
            break;
        case CertificateProfile::IntermediateCa:
            QVERIFY(text.contains(u"CA:TRUE, pathlen:0"_s));
            verify << u"-CAfile"_s << path(u"root.pem"_s);
            break;
        case CertificateProfile::Server:
            QVERIFY(text.contains(u"CA:FALSE"_s));
            verify << u"-purpose"_s << u"sslserver"_s << u"-verify_ip"_s << u"::1"_s << u"-CAfile"_s
                   << path(u"root.pem"_s) << u"-untrusted"_s << path(u"intermediate.pem"_s);
            break;
        case CertificateProfile::Client:
            QVERIFY(text.contains(u"TLS Web Client Authentication"_s));
            verify << u"-purpose"_s << u"sslclient"_s << u"-CAfile"_s << path(u"root.pem"_s) << u"-untrusted"_s
                   << path(u"intermediate.pem"_s);
            break;
        }
        verify << leafFile;
        const auto v = openssl(verify);
        QVERIFY2(v.ok() && v.out.contains(": OK"), QByteArray(v.out + v.err).constData());

        // A verifying Qt client completes a handshake with a Qt server presenting it.
        if (profile == CertificateProfile::SelfSignedServer || profile == CertificateProfile::Server) {
            const auto h = TlsLab::Test::handshake(*identity, {identity->chain.last()}, u"test.example"_s);
            QVERIFY2(h.encrypted, qPrintable(h.clientError + u" / "_s + h.serverError));
            const auto wrongName = TlsLab::Test::handshake(*identity, {identity->chain.last()}, u"other.example"_s);
            QVERIFY(!wrongName.encrypted);
            QVERIFY(TlsLab::Test::hasError(wrongName, QSslError::HostNameMismatch));
        }
    }

    void opensslClientHandshake()
    {
        // openssl s_client, verifying, against a Qt server with an Ed25519 certificate.
        auto r = request(CertificateProfile::Server, KeyType::Ed25519, u"localhost"_s);
        r.issuer = m_intermediate;
        auto identity = CertificateGenerator::generate(r);
        QVERIFY2(identity.ok(), qPrintable(identity.error()));
        QSslServer server;
        QSslConfiguration config = QSslConfiguration::defaultConfiguration();
        config.setLocalCertificateChain(identity->chain);
        config.setPrivateKey(identity->key.toSslKey());
        server.setSslConfiguration(config);
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        connect(&server, &QSslServer::pendingConnectionAvailable, this, [&server] {
            QSslSocket *s = qobject_cast<QSslSocket *>(server.nextPendingConnection());
            s->write("hello from qt\n");
            s->disconnectFromHost();
        });
        QProcess client;
        client.start(u"openssl"_s,
            {u"s_client"_s, u"-connect"_s, u"127.0.0.1:%1"_s.arg(server.serverPort()), u"-CAfile"_s,
                path(u"root.pem"_s), u"-verify_hostname"_s, u"localhost"_s, u"-verify_return_error"_s, u"-ign_eof"_s});
        QVERIFY(client.waitForStarted());
        client.closeWriteChannel();
        QTRY_VERIFY_WITH_TIMEOUT(client.state() == QProcess::NotRunning, 10000);
        const QByteArray out = client.readAllStandardOutput();
        QVERIFY2(out.contains("Verification: OK"), out.constData());
        QVERIFY(out.contains("hello from qt"));
        QVERIFY(out.contains("Peer signature type: ed25519"));
    }

    void validity_data()
    {
        QTest::addColumn<int>("startDays");
        QTest::addColumn<int>("endDays");
        QTest::addColumn<int>("qtError");
        QTest::addColumn<QByteArray>("opensslError");
        QTest::newRow("expired") << -30 << -4 << int(QSslError::CertificateExpired)
                                 << QByteArray("certificate has expired");
        QTest::newRow("not yet valid") << 10 << 40 << int(QSslError::CertificateNotYetValid)
                                       << QByteArray("certificate is not yet valid");
    }

    void validity()
    {
        QFETCH(int, startDays);
        QFETCH(int, endDays);
        QFETCH(int, qtError);
        QFETCH(QByteArray, opensslError);
        auto r = request(CertificateProfile::SelfSignedServer, KeyType::EcP256, u"localhost"_s);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        r.notBefore = QDateTime(now.date().addDays(startDays), QTime(12, 0), Qt::UTC);
        r.notAfter = QDateTime(now.date().addDays(endDays), QTime(12, 0), Qt::UTC);
        auto identity = CertificateGenerator::generate(r);
        QVERIFY2(identity.ok(), qPrintable(identity.error()));
        QCOMPARE(identity->leaf().effectiveDate(), r.notBefore);
        QCOMPARE(identity->leaf().expiryDate(), r.notAfter);
        const auto h = TlsLab::Test::handshake(*identity, identity->chain);
        QVERIFY(!h.encrypted);
        QVERIFY2(TlsLab::Test::hasError(h, QSslError::SslError(qtError)), qPrintable(h.clientError));
        writePem(u"dated.pem"_s, identity->chain);
        const auto v = openssl({u"verify"_s, u"-CAfile"_s, path(u"dated.pem"_s), path(u"dated.pem"_s)});
        QVERIFY(!v.ok());
        QVERIFY2(QByteArray(v.out + v.err).contains(opensslError), QByteArray(v.out + v.err).constData());
    }

    void subjectAltNames_data()
    {
        QTest::addColumn<QStringList>("input");
        QTest::addColumn<QString>("result");
        QTest::newRow("bad ipv4") << QStringList {u"IP:300.1.1.1"_s} << u"IP:300.1.1.1 is not an IP address"_s;
        QTest::newRow("bad ip") << QStringList {u"IP:localhost"_s} << u"IP:localhost is not an IP address"_s;
        QTest::newRow("bad dns") << QStringList {u"DNS:bad name"_s} << u"DNS:bad name contains a comma or a space"_s;
        QTest::newRow("bad dns label") << QStringList {u"DNS:-x.example"_s}
                                       << u"DNS:-x.example is not a valid DNS name"_s;
        QTest::newRow("bad email") << QStringList {u"email:nobody"_s} << u"email:nobody is not an email address"_s;
        QTest::newRow("unknown type") << QStringList {u"foo:bar"_s}
                                      << u"foo:bar: unknown SAN type \"foo\" (use DNS:, IP:, email: or URI:)"_s;
        QTest::newRow("bare values") << QStringList {u"example.org"_s, u"10.0.0.1"_s, u"::1"_s, u"ip:fe80::1"_s}
                                     << u"DNS:example.org,IP:10.0.0.1,IP:::1,IP:fe80::1"_s;
    }

    void subjectAltNames()
    {
        QFETCH(QStringList, input);
        QFETCH(QString, result);
        const auto parsed = CertificateGenerator::parseSubjectAltNames(input);
        QCOMPARE(parsed.ok() ? parsed->join(u',') : parsed.error(), result);
    }

    void invalidRequests()
    {
        auto r = request(CertificateProfile::Server, KeyType::EcP256, u"x.example"_s);
        QCOMPARE(CertificateGenerator::generate(r).error(),
            u"a server certificate needs an issuing CA (certificate and key)"_s);
        r.issuer = m_intermediate;
        r.notBefore = QDateTime::currentDateTimeUtc();
        r.notAfter = r.notBefore.addDays(-1);
        QCOMPARE(CertificateGenerator::generate(r).error(), u"the end date is not after the start date"_s);
        auto leaf = CertificateGenerator::generate(
            request(CertificateProfile::SelfSignedServer, KeyType::EcP256, u"leaf.example"_s));
        QVERIFY(leaf.ok());
        r.notAfter = {};
        r.issuer = *leaf;
        QVERIFY(CertificateGenerator::generate(r).error().endsWith(u"is not a CA certificate"_s));
        r.issuer = m_intermediate;
        r.subject.country = u"Germany"_s;
        QVERIFY(CertificateGenerator::generate(r).error().contains(u"two-letter"_s));
    }

    void defaultsAndOverrides()
    {
        auto r = request(CertificateProfile::CertificateAuthority, KeyType::EcP256, u"Pathlen CA"_s);
        r.pathLength = 2;
        r.subject = {u"Pathlen CA"_s, u"Org"_s, u"Unit"_s, u"Berlin"_s, u"Berlin"_s, u"DE"_s, u"ca@example.org"_s};
        r.digest = u"SHA384"_s;
        auto ca = CertificateGenerator::generate(r);
        QVERIFY2(ca.ok(), qPrintable(ca.error()));
        writePem(u"pathlen.pem"_s, {ca->leaf()});
        const QString text = QString::fromUtf8(
            openssl({u"x509"_s, u"-in"_s, path(u"pathlen.pem"_s), u"-noout"_s, u"-text"_s, u"-nameopt"_s, u"RFC2253"_s})
                .out);
        QVERIFY(text.contains(u"CA:TRUE, pathlen:2"_s));
        QVERIFY(text.contains(u"ecdsa-with-SHA384"_s));
        QVERIFY2(text.contains(
                     u"Subject: emailAddress=ca@example.org,CN=Pathlen CA,OU=Unit,O=Org,L=Berlin,ST=Berlin,C=DE"_s),
            qPrintable(text));
        // A self-signed server certificate without SANs gets one from its CN; key usage and EKU can be chosen.
        auto s = request(CertificateProfile::SelfSignedServer, KeyType::Rsa2048, u"only-cn.example"_s);
        s.keyUsage = u"critical,digitalSignature"_s;
        s.extendedKeyUsage = u"serverAuth,clientAuth"_s;
        auto server = CertificateGenerator::generate(s);
        QVERIFY2(server.ok(), qPrintable(server.error()));
        QCOMPARE(
            server->leaf().subjectAlternativeNames().values(QSsl::DnsEntry), QList<QString> {u"only-cn.example"_s});
        writePem(u"eku.pem"_s, {server->leaf()});
        const QString t2
            = QString::fromUtf8(openssl({u"x509"_s, u"-in"_s, path(u"eku.pem"_s), u"-noout"_s, u"-text"_s}).out);
        QVERIFY(t2.contains(u"TLS Web Server Authentication, TLS Web Client Authentication"_s));
        QVERIFY(t2.contains(u"X509v3 Key Usage: critical\n                Digital Signature\n"_s));
    }

    void rsaProgress()
    {
        QList<int> seen;
        auto key = CertificateGenerator::generateKey(KeyType::Rsa2048, [&seen](int p) {
            if (seen.isEmpty() || seen.last() != p)
                seen.append(p);
            return true;
        });
        QVERIFY(key.ok());
        QCOMPARE(key->bits(), 2048);
        // The search for the first prime, the second, then the rest; both primes are seen (OpenSSL 3.0 reports each as
        // (3, 0), so a count taken from its second number stopped at the first).
        QCOMPARE(seen, (QList<int> {0, 50, 95, 100}));
    }

    // How fast a cancel returns is a figure (bench_certificates); here: that the prime search stops when it is told
    // to, from another thread, and that nothing is made.
    void rsa4096CanBeCancelled()
    {
        std::atomic<bool> cancel = false;
        std::atomic<int> callsBeforeCancel = 0;
        std::atomic<int> callsAfterCancel = 0;
        QString error;
        bool made = true;
        std::thread worker([&] {
            auto key = CertificateGenerator::generateKey(KeyType::Rsa4096, [&](int) {
                if (cancel) {
                    ++callsAfterCancel;
                    return false;
                }
                // The search is under way (the progress callback runs): ask to stop from the third call on.
                if (++callsBeforeCancel == 3)
                    cancel = true;
                return true;
            });
            made = key.ok();
            error = made ? QString() : key.error();
        });
        worker.join();
        QVERIFY(!made);
        QCOMPARE(error, CertificateGenerator::cancelledMessage());
        QCOMPARE(callsBeforeCancel.load(), 3);
        // OpenSSL unwinds through a few more checks of the callback (2 to 7 seen) before it gives up.
        QVERIFY(callsAfterCancel.load() >= 1);
    }
};

QTEST_GUILESS_MAIN(TestCertificateGenerator)
#include "tst_certificategenerator.moc"
