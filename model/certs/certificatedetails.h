#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QSslCertificate>
#include <QString>
#include <QStringList>

#include <optional>

namespace TlsLab::Model {

// Everything a careful engineer reads in a certificate, as a value type. Texts are what `openssl x509 -text` prints
// for the same field, so the two can be compared line by line.
struct CertificateDetails
{
    struct NameEntry
    {
        QString shortName; // "CN"
        QString longName; // "commonName"
        QString value; // UTF-8
    };
    struct AltName
    {
        QString type; // as OpenSSL prints it: "DNS", "IP Address", "email", "URI", "DirName", "othername", ...
        QString value; // "example.org", "0:0:0:0:0:0:0:1", ...
    };
    struct Extension
    {
        QString name; // "X509v3 Key Usage", or the OID when OpenSSL has no name for it
        QString oid; // "2.5.29.15"
        bool critical = false;
        QString text; // X509V3_EXT_print (or the raw value dump for unknown extensions), no indentation
    };

    bool isNull() const { return pem.isEmpty(); }

    QList<NameEntry> subject;
    QList<NameEntry> issuer;
    QString subjectText; // "C = DE, O = Example, CN = example.org"
    QString issuerText;
    int version = 0; // 3 for X.509v3
    QString serialHex; // as `openssl x509 -serial`: upper case, no separators
    QString serialText; // as `openssl x509 -text`: "4660 (0x1234)" or "7a:bc:..."
    QDateTime notBefore;
    QDateTime notAfter;
    QString notBeforeText; // "Jan  1 00:00:00 2030 GMT"
    QString notAfterText;
    QString publicKeyAlgorithm; // "RSA", "EC", "Ed25519"
    QString publicKeyAlgorithmOid; // OpenSSL's name: "rsaEncryption", "id-ecPublicKey", "ED25519"
    int publicKeyBits = 0;
    QString publicKeyCurve; // "P-256" for EC
    QString signatureAlgorithm; // "sha256WithRSAEncryption", "ecdsa-with-SHA256", "ED25519"
    QList<AltName> subjectAltNames;
    QList<Extension> extensions;
    bool isCa = false;
    bool isSelfSigned = false;
    QString sha256Fingerprint; // AB:CD:...
    QString sha1Fingerprint;
    QString spkiSha256Pin; // base64 of SHA-256 over the SubjectPublicKeyInfo
    QByteArray pem;

    static CertificateDetails fromCertificate(const QSslCertificate &certificate);

    // "valid, expires in 23 days", "expired 4 days ago", "not valid until 2027-01-01"
    QString validityStatus(const QDateTime &now = QDateTime::currentDateTimeUtc()) const;
    // A one-line summary: "CN=example.org (issued by CN=Example CA)".
    QString summary() const;
    QString commonName() const;
    QJsonObject toJson() const;
};

// The verification of a chain as a peer sent it: who issued whom, the verdict for every certificate with the errors
// that concern it, and whether the name checked matches the leaf.
struct ChainAnalysis
{
    struct Link
    {
        CertificateDetails details;
        int issuerIndex = -1; // index in the chain as sent of the certificate that issued this one, -1 if none
        QString issuerSource; // "chain", "self", "trust anchor", "system store" or "not found"
        bool verified = false;
        QStringList errors; // OpenSSL's verification errors concerning this certificate
        QList<int> errorCodes; // X509_V_ERR_*
    };

    QList<Link> chain; // in the order sent; leaf first
    QList<CertificateDetails> trustPath; // the path OpenSSL built, leaf first, ending at the anchor (if any)
    bool trusted = false; // the whole chain verified, name included when one was given
    QStringList errors; // every error, "depth N: text"
    QString checkedName;
    std::optional<bool> nameMatches;

    static ChainAnalysis analyze(const QList<QSslCertificate> &chainAsSent, const QList<QSslCertificate> &trustAnchors,
        bool useSystemStore = false, const QString &hostNameOrIp = {}, const QDateTime &verificationTime = QDateTime());
    QJsonObject toJson() const;
};

} // namespace TlsLab::Model
