// CertificateDetails and ChainAnalysis against what the openssl program prints for the same certificates. The
// certificates are made here by `openssl req`/`openssl x509` with config files, not by TLS Lab.

#include "certtestutil.h"
#include "model/certs/certificatedetails.h"
#include "model/certs/certificateio.h"

#include <QCryptographicHash>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;
using TlsLab::Test::openssl;

namespace {

const char *rootConfig = "[req]\n"
                         "distinguished_name = dn\n"
                         "prompt = no\n"
                         "x509_extensions = ext\n"
                         "[dn]\n"
                         "C = US\n"
                         "O = Detail Test Root\n"
                         "CN = Detail Test Root CA\n"
                         "[ext]\n"
                         "basicConstraints = critical, CA:TRUE\n"
                         "keyUsage = critical, keyCertSign, cRLSign\n"
                         "subjectKeyIdentifier = hash\n";

const char *leafExtensions
    = "[ext]\n"
      "basicConstraints = critical, CA:FALSE\n"
      "keyUsage = critical, digitalSignature, keyEncipherment\n"
      "extendedKeyUsage = serverAuth, clientAuth\n"
      "subjectKeyIdentifier = hash\n"
      "authorityKeyIdentifier = keyid, issuer\n"
      "authorityInfoAccess = OCSP;URI:http://ocsp.example.org/, caIssuers;URI:http://ca.example.org/ca.crt\n"
      "crlDistributionPoints = URI:http://crl.example.org/root.crl, URI:http://crl2.example.org/root.crl\n"
      "certificatePolicies = 2.23.140.1.2.1, @policy\n"
      "nsComment = \"A comment, with a comma\"\n"
      "1.2.3.4.5.6 = ASN1:UTF8String:a private extension\n"
      "subjectAltName = @alt\n"
      "[policy]\n"
      "policyIdentifier = 1.3.6.1.4.1.99999.1\n"
      "CPS.1 = \"https://example.org/cps\"\n"
      "userNotice.1 = @notice\n"
      "[notice]\n"
      "explicitText = \"Notice text\"\n"
      "organization = \"Example Org\"\n"
      "noticeNumbers = 1, 2\n"
      "[alt]\n";

} // namespace

class TestCertificateDetails : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString path(const QString &name) const { return QDir::isAbsolutePath(name) ? name : m_dir.filePath(name); }
    void write(const QString &name, const QByteArray &data)
    {
        QFile f(path(name));
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(data);
    }
    static QString field(const QByteArray &out, const QByteArray &prefix)
    {
        for (const QByteArray &line : out.split('\n')) {
            if (line.startsWith(prefix))
                return QString::fromUtf8(line.mid(prefix.size()).trimmed());
        }
        return {};
    }
    struct Ext
    {
        QString name;
        bool critical;
        QString text;
    };
    // The "X509v3 extensions:" section of `openssl x509 -text`, each extension's body without its indentation.
    static QList<Ext> extensionsOf(const QString &text)
    {
        QList<Ext> exts;
        const qsizetype start = text.indexOf(u"        X509v3 extensions:\n"_s);
        if (start < 0)
            return exts;
        const QStringList lines = text.mid(start).split(u'\n').mid(1);
        for (const QString &line : lines) {
            if (!line.startsWith(u"            "_s)) {
                if (line.isEmpty() || line.startsWith(u' ') || exts.isEmpty())
                    break; // the next section ("    Signature Algorithm: ...")
                // OpenSSL dumps an unknown extension's raw bytes, which may hold a newline: still the same text.
                exts.last().text += u"\n"_s + line;
                continue;
            }
            if (!line.startsWith(u"                "_s)) {
                QString header = line.trimmed();
                const bool critical = header.endsWith(u": critical"_s);
                header.chop(critical ? 10 : 1);
                exts.append({header, critical, {}});
            } else {
                Ext &e = exts.last();
                e.text
                    += (e.text.isEmpty() && !e.name.isEmpty() && e.text.isNull() ? QString() : u"\n"_s) + line.mid(16);
            }
        }
        for (Ext &e : exts) {
            if (e.text.startsWith(u'\n'))
                e.text.remove(0, 1);
        }
        return exts;
    }
    static QString normalise(QString s)
    {
        QStringList lines = s.split(u'\n');
        for (QString &l : lines) {
            while (l.endsWith(u' '))
                l.chop(1);
        }
        while (!lines.isEmpty() && lines.last().isEmpty())
            lines.removeLast();
        return lines.join(u'\n');
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        write(u"root.cnf"_s, rootConfig);
        QVERIFY(openssl({u"req"_s, u"-x509"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:P-256"_s,
                            u"-nodes"_s, u"-keyout"_s, path(u"root.key"_s), u"-out"_s, path(u"root.pem"_s), u"-days"_s,
                            u"30"_s, u"-config"_s, path(u"root.cnf"_s)})
                    .ok());
        // Leaf certificates: RSA with 80 SANs and many extensions; EC P-384 with international names; Ed25519; a
        // small serial; an expired one.
        QByteArray alt;
        for (int i = 1; i <= 60; ++i)
            alt += "DNS." + QByteArray::number(i) + " = host" + QByteArray::number(i) + ".example.org\n";
        for (int i = 1; i <= 10; ++i)
            alt += "IP." + QByteArray::number(i) + " = 10.0.0." + QByteArray::number(i) + "\n";
        alt += "IP.11 = 2001:db8::1\nemail.1 = admin@example.org\nURI.1 = https://example.org/id\nDNS.61 = "
               "www.example.org\n";
        write(u"leaf.ext"_s, QByteArray(leafExtensions) + alt);
        struct Leaf
        {
            QString name;
            QStringList keyArgs;
            QString subject;
            QStringList extra;
        };
        const QList<Leaf> leaves {
            {u"rsa"_s, {u"rsa:2048"_s},
                u"/C=DE/ST=Berlin/L=Berlin/O=Example GmbH/OU=Ops/CN=www.example.org/emailAddress=ops@example.org"_s,
                {u"-days"_s, u"20"_s}},
            {u"ec"_s, {u"ec"_s, u"-pkeyopt"_s, u"ec_paramgen_curve:P-384"_s},
                u"/C=CH/L=Zürich/O=株式会社テスト/OU=Ünïcödé, Test/CN=www.example.org"_s, {u"-days"_s, u"400"_s}},
            {u"ed"_s, {u"ed25519"_s}, u"/CN=www.example.org"_s, {u"-days"_s, u"3"_s, u"-set_serial"_s, u"4660"_s}},
        };
        for (const Leaf &leaf : leaves) {
            QVERIFY(openssl(QStringList {u"req"_s, u"-new"_s, u"-utf8"_s, u"-nodes"_s, u"-newkey"_s} + leaf.keyArgs
                + QStringList {u"-keyout"_s, path(leaf.name + u".key"_s), u"-subj"_s, leaf.subject, u"-out"_s,
                    path(leaf.name + u".csr"_s)})
                        .ok());
            const auto r
                = openssl(QStringList {u"x509"_s, u"-req"_s, u"-in"_s, path(leaf.name + u".csr"_s), u"-CA"_s,
                              path(u"root.pem"_s), u"-CAkey"_s, path(u"root.key"_s), u"-extfile"_s, path(u"leaf.ext"_s),
                              u"-extensions"_s, u"ext"_s, u"-out"_s, path(leaf.name + u".pem"_s)}
                    + leaf.extra);
            QVERIFY2(r.ok(), r.err.constData());
        }
    }

    void realWorldCertificatesArePresent()
    {
        // The real-world rows of matchesOpenssl come from the system's CA store (package ca-certificates).
        const int count = int(QDir(u"/etc/ssl/certs"_s).entryList({u"*.pem"_s}, QDir::Files).size());
        QVERIFY2(count >= 50, qPrintable(u"only %1 certificates in /etc/ssl/certs"_s.arg(count)));
    }

    void matchesOpenssl_data()
    {
        QTest::addColumn<QString>("file");
        for (const QString &f : {u"root"_s, u"rsa"_s, u"ec"_s, u"ed"_s})
            QTest::newRow(qPrintable(f)) << f + u".pem"_s;
        // Real-world certificates: the system's root CAs (RSA and EC, names in many scripts, policies, name
        // constraints, ...), as issued by their owners, not by TLS Lab or by this test.
        QSet<QString> seen;
        const QFileInfoList system = QDir(u"/etc/ssl/certs"_s).entryInfoList({u"*.pem"_s}, QDir::Files, QDir::Name);
        for (const QFileInfo &info : system) {
            const QString real = info.canonicalFilePath();
            if (real.isEmpty() || seen.contains(real))
                continue;
            seen.insert(real);
            QTest::newRow(qPrintable(u"system "_s + info.fileName())) << real;
        }
    }

    void matchesOpenssl()
    {
        QFETCH(QString, file);
        const auto certs = CertificateIo::readCertificates(path(file));
        QVERIFY2(certs.ok(), qPrintable(certs.error()));
        const CertificateDetails d = CertificateDetails::fromCertificate(certs->first());
        const QByteArray fields
            = openssl({u"x509"_s, u"-in"_s, path(file), u"-noout"_s, u"-subject"_s, u"-issuer"_s, u"-serial"_s,
                          u"-startdate"_s, u"-enddate"_s, u"-fingerprint"_s, u"-nameopt"_s, u"oneline,-esc_msb"_s})
                  .out;
        QCOMPARE(d.subjectText, field(fields, "subject="));
        QCOMPARE(d.issuerText, field(fields, "issuer="));
        QCOMPARE(d.serialHex, field(fields, "serial="));
        QCOMPARE(d.notBeforeText, field(fields, "notBefore="));
        QCOMPARE(d.notAfterText, field(fields, "notAfter="));
        QCOMPARE(d.sha1Fingerprint, field(fields, "SHA1 Fingerprint="));
        const QByteArray sha256
            = openssl({u"x509"_s, u"-in"_s, path(file), u"-noout"_s, u"-fingerprint"_s, u"-sha256"_s}).out;
        QCOMPARE(d.sha256Fingerprint, field(sha256, "sha256 Fingerprint="));

        // Names in UTF-8: the text OpenSSL prints with its default "oneline" name format, multi-byte characters
        // shown as such instead of \xx escapes.
        const QByteArray textBytes
            = openssl({u"x509"_s, u"-in"_s, path(file), u"-noout"_s, u"-text"_s, u"-nameopt"_s, u"oneline,-esc_msb"_s})
                  .out;
        QCOMPARE(d.subjectText, field(textBytes, "        Subject: "));
        const QString text = QString::fromUtf8(textBytes);
        QCOMPARE(u"%1 (0x%2)"_s.arg(d.version).arg(d.version - 1), field(textBytes, "        Version: "));
        const QString serialLine = field(textBytes, "        Serial Number:");
        QCOMPARE(d.serialText, serialLine.isEmpty() ? field(textBytes, "            ") : serialLine);
        QCOMPARE(d.signatureAlgorithm, field(textBytes, "        Signature Algorithm: "));
        QCOMPARE(d.publicKeyAlgorithmOid, field(textBytes, "            Public Key Algorithm: "));
        if (d.publicKeyAlgorithm == u"Ed25519")
            QVERIFY(textBytes.contains("                ED25519 Public-Key:\n"));
        else
            QCOMPARE(u"(%1 bit)"_s.arg(d.publicKeyBits), field(textBytes, "                Public-Key: "));
        if (d.publicKeyAlgorithm == u"EC")
            QCOMPARE(d.publicKeyCurve, field(textBytes, "                NIST CURVE: "));

        // Every extension, in order, with its critical flag and OpenSSL's text.
        const QList<Ext> expected = extensionsOf(text);
        QCOMPARE(d.extensions.size(), expected.size());
        for (qsizetype i = 0; i < expected.size(); ++i) {
            QCOMPARE(d.extensions.at(i).name, expected.at(i).name);
            QCOMPARE(d.extensions.at(i).critical, expected.at(i).critical);
            QCOMPARE(normalise(d.extensions.at(i).text), normalise(expected.at(i).text));
        }
        // The SANs, one by one, make up the SAN extension's text.
        QStringList sans;
        for (const auto &s : d.subjectAltNames)
            sans.append(s.type + u':' + s.value);
        for (const Ext &e : expected) {
            if (e.name == u"X509v3 Subject Alternative Name")
                QCOMPARE(sans.join(u", "_s), e.text.trimmed());
        }
        if (file == u"rsa.pem" || file == u"ec.pem" || file == u"ed.pem")
            QCOMPARE(d.subjectAltNames.size(), 74);

        // SPKI pin: SHA-256 of the public key's DER, as openssl writes it.
        const QByteArray pub = openssl({u"x509"_s, u"-in"_s, path(file), u"-noout"_s, u"-pubkey"_s}).out;
        const QByteArray der = openssl({u"pkey"_s, u"-pubin"_s, u"-outform"_s, u"DER"_s}, pub).out;
        QVERIFY(!der.isEmpty());
        QCOMPARE(
            d.spkiSha256Pin, QString::fromLatin1(QCryptographicHash::hash(der, QCryptographicHash::Sha256).toBase64()));
        QCOMPARE(d.pem, certs->first().toPem());
        QVERIFY(d.toJson().value(u"extensions"_s).toArray().size() == d.extensions.size());
    }

    void attributes()
    {
        const auto ec
            = CertificateDetails::fromCertificate(CertificateIo::readCertificates(path(u"ec.pem"_s))->first());
        QCOMPARE(ec.subject.size(), 5);
        QCOMPARE(ec.subject.at(1).shortName, u"L"_s);
        QCOMPARE(ec.subject.at(1).value, u"Zürich"_s);
        QCOMPARE(ec.subject.at(2).longName, u"organizationName"_s);
        QCOMPARE(ec.subject.at(2).value, u"株式会社テスト"_s);
        QCOMPARE(ec.commonName(), u"www.example.org"_s);
        QCOMPARE(ec.publicKeyAlgorithm, u"EC"_s);
        QCOMPARE(ec.publicKeyBits, 384);
        QVERIFY(!ec.isCa);
        const auto ed
            = CertificateDetails::fromCertificate(CertificateIo::readCertificates(path(u"ed.pem"_s))->first());
        QCOMPARE(ed.serialText, u"4660 (0x1234)"_s);
        QCOMPARE(ed.publicKeyAlgorithm, u"Ed25519"_s);
        const auto root
            = CertificateDetails::fromCertificate(CertificateIo::readCertificates(path(u"root.pem"_s))->first());
        QVERIFY(root.isCa);
        QVERIFY(root.isSelfSigned);
    }

    void validityStatus()
    {
        CertificateDetails d;
        d.notBefore = QDateTime(QDate(2027, 1, 1), QTime(0, 0), Qt::UTC);
        d.notAfter = QDateTime(QDate(2028, 1, 1), QTime(0, 0), Qt::UTC);
        QCOMPARE(d.validityStatus(d.notBefore.addDays(-3)), u"not valid until 2027-01-01T00:00:00Z (in 3 days)"_s);
        QCOMPARE(d.validityStatus(d.notAfter.addDays(-23).addSecs(-100)), u"valid, expires in 23 days"_s);
        QCOMPARE(d.validityStatus(d.notAfter.addDays(4)), u"expired 4 days ago"_s);
        QCOMPARE(d.validityStatus(d.notAfter.addSecs(-5 * 3600)), u"valid, expires in 5 hours"_s);
    }

    void chain()
    {
        // root -> intermediate -> leaf made with openssl; the chain as a server would send it.
        write(u"int.ext"_s,
            "[ext]\nbasicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n"
            "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n");
        QVERIFY(openssl({u"req"_s, u"-new"_s, u"-nodes"_s, u"-newkey"_s, u"ec"_s, u"-pkeyopt"_s,
                            u"ec_paramgen_curve:P-256"_s, u"-keyout"_s, path(u"int.key"_s), u"-subj"_s,
                            u"/CN=Detail Intermediate"_s, u"-out"_s, path(u"int.csr"_s)})
                    .ok());
        QVERIFY(openssl({u"x509"_s, u"-req"_s, u"-in"_s, path(u"int.csr"_s), u"-CA"_s, path(u"root.pem"_s), u"-CAkey"_s,
                            path(u"root.key"_s), u"-extfile"_s, path(u"int.ext"_s), u"-extensions"_s, u"ext"_s,
                            u"-days"_s, u"10"_s, u"-out"_s, path(u"int.pem"_s)})
                    .ok());
        QVERIFY(openssl({u"x509"_s, u"-req"_s, u"-in"_s, path(u"ec.csr"_s), u"-CA"_s, path(u"int.pem"_s), u"-CAkey"_s,
                            path(u"int.key"_s), u"-extfile"_s, path(u"leaf.ext"_s), u"-extensions"_s, u"ext"_s,
                            u"-days"_s, u"5"_s, u"-out"_s, path(u"leaf2.pem"_s)})
                    .ok());
        const QSslCertificate root = CertificateIo::readCertificates(path(u"root.pem"_s))->first();
        const QSslCertificate inter = CertificateIo::readCertificates(path(u"int.pem"_s))->first();
        const QSslCertificate leaf = CertificateIo::readCertificates(path(u"leaf2.pem"_s))->first();

        auto good = ChainAnalysis::analyze({leaf, inter}, {root}, false, u"www.example.org"_s);
        QVERIFY2(good.trusted, qPrintable(good.errors.join(u"; "_s)));
        QCOMPARE(good.chain.size(), 2);
        QCOMPARE(good.chain.at(0).issuerIndex, 1);
        QCOMPARE(good.chain.at(0).issuerSource, u"chain"_s);
        QCOMPARE(good.chain.at(1).issuerIndex, -1);
        QCOMPARE(good.chain.at(1).issuerSource, u"trust anchor"_s);
        QVERIFY(good.chain.at(0).verified && good.chain.at(1).verified);
        QCOMPARE(good.trustPath.size(), 3);
        QCOMPARE(good.nameMatches, std::optional<bool>(true));
        QCOMPARE(
            ChainAnalysis::analyze({leaf, inter}, {root}, false, u"10.0.0.7"_s).nameMatches, std::optional<bool>(true));

        // The same verdicts as `openssl verify`.
        write(u"untrusted.pem"_s, inter.toPem());
        QVERIFY(openssl({u"verify"_s, u"-CAfile"_s, path(u"root.pem"_s), u"-untrusted"_s, path(u"untrusted.pem"_s),
                            u"-verify_hostname"_s, u"www.example.org"_s, path(u"leaf2.pem"_s)})
                    .ok());

        auto wrongName = ChainAnalysis::analyze({leaf, inter}, {root}, false, u"evil.example.com"_s);
        QVERIFY(!wrongName.trusted);
        QCOMPARE(wrongName.nameMatches, std::optional<bool>(false));
        QCOMPARE(wrongName.chain.at(0).errors, QStringList {u"hostname mismatch"_s});
        QVERIFY(wrongName.chain.at(1).errors.isEmpty());
        QVERIFY(wrongName.chain.at(1).verified);
        QVERIFY(!wrongName.chain.at(0).verified);

        auto noAnchor = ChainAnalysis::analyze({leaf, inter}, {}, false);
        QVERIFY(!noAnchor.trusted);
        QCOMPARE(noAnchor.chain.at(1).errors.value(0), u"unable to get local issuer certificate"_s);
        QCOMPARE(noAnchor.chain.at(1).issuerSource, u"not found"_s);
        QVERIFY(!noAnchor.chain.at(0).verified);
        const auto v = openssl({u"verify"_s, u"-no-CAfile"_s, u"-no-CApath"_s, u"-no-CAstore"_s, u"-untrusted"_s,
            path(u"untrusted.pem"_s), path(u"leaf2.pem"_s)});
        QVERIFY(QByteArray(v.out + v.err).contains("unable to get local issuer certificate"));

        // Checked a week later the leaf and the intermediate have expired, the root has not.
        auto later
            = ChainAnalysis::analyze({leaf, inter}, {root}, false, {}, QDateTime::currentDateTimeUtc().addDays(12));
        QVERIFY(!later.trusted);
        QVERIFY(later.chain.at(0).errors.contains(u"certificate has expired"_s));
        QVERIFY(later.chain.at(1).errors.contains(u"certificate has expired"_s));
        QVERIFY(later.toJson().value(u"chain"_s).toArray().size() == 2);

        // A self-signed certificate sent alone.
        auto self = ChainAnalysis::analyze({root}, {}, false);
        QCOMPARE(self.chain.at(0).issuerSource, u"self"_s);
        QCOMPARE(self.chain.at(0).errors, QStringList {u"self-signed certificate"_s});
    }
};

QTEST_GUILESS_MAIN(TestCertificateDetails)
#include "tst_certificatedetails.moc"
