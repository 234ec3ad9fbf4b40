#pragma once

#include "model/certs/identity.h"
#include "model/core/result.h"

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <atomic>
#include <functional>
#include <optional>

namespace TlsLab::Model {

enum class KeyType { Rsa2048, Rsa3072, Rsa4096, EcP256, EcP384, Ed25519 };
enum class CertificateProfile { SelfSignedServer, CertificateAuthority, IntermediateCa, Server, Client };

QString keyTypeName(KeyType type); // "rsa-2048", "ec-p256", "ed25519", ...
std::optional<KeyType> keyTypeFromName(QStringView name);
QString profileName(CertificateProfile profile); // "self-signed", "ca", "intermediate", "server", "client"
std::optional<CertificateProfile> profileFromName(QStringView name);

struct SubjectName
{
    QString commonName;
    QString organization;
    QString organizationalUnit;
    QString locality;
    QString state;
    QString country;
    QString email;
};

struct CertificateRequest
{
    CertificateProfile profile = CertificateProfile::SelfSignedServer;
    KeyType keyType = KeyType::EcP256;
    SubjectName subject;
    QStringList subjectAltNames; // "DNS:localhost", "IP:127.0.0.1", "IP:::1", "email:a@b", "URI:https://x"
    QDateTime notBefore; // invalid: now (minus a minute)
    QDateTime notAfter; // invalid: notBefore + 365 days
    // Empty: the profile's defaults. Otherwise OpenSSL names: "digitalSignature,keyEncipherment", "serverAuth".
    QString keyUsage;
    QString extendedKeyUsage;
    std::optional<int> pathLength; // CA profiles
    QString digest = QStringLiteral("SHA256"); // ignored for Ed25519
    QString comment; // nsComment
    std::optional<Identity> issuer; // required for server, client and intermediate profiles
};

// Reports progress in percent (or -1 when unknown); returns false to cancel. Called from the generating thread.
using ProgressCallback = std::function<bool(int)>;

// Creates keys and X.509 certificates with OpenSSL 3. Pure functions, safe to call from a worker thread.
class CertificateGenerator
{
public:
    static Result<PrivateKey> generateKey(KeyType type, const ProgressCallback &progress = {});
    // The returned identity's chain is leaf first, followed by the issuer's chain (if any).
    static Result<Identity> generate(const CertificateRequest &request, const ProgressCallback &progress = {});

    // Checks and normalises SAN entries ("DNS:a", "IP:1.2.3.4", "email:x@y", "URI:https://..."; a bare value is
    // taken as IP when it parses as one, else DNS). Errors read "IP:300.1.1.1 is not an IP address".
    static Result<QStringList> parseSubjectAltNames(const QStringList &entries);
    // Everything generate() would reject, without generating a key (for validation as the user types).
    static Status validate(const CertificateRequest &request);
    // The message of a cancelled generation.
    static QString cancelledMessage();
};

} // namespace TlsLab::Model
