#include "model/certs/certificategenerator.h"

#include "model/core/opensslutil.h"

#include <QHostAddress>
#include <QUrl>

#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {

struct KeyTypeEntry
{
    KeyType type;
    const char16_t *name;
};
constexpr KeyTypeEntry keyTypes[] = {
    {KeyType::Rsa2048, u"rsa-2048"},
    {KeyType::Rsa3072, u"rsa-3072"},
    {KeyType::Rsa4096, u"rsa-4096"},
    {KeyType::EcP256, u"ec-p256"},
    {KeyType::EcP384, u"ec-p384"},
    {KeyType::Ed25519, u"ed25519"},
};

struct ProfileEntry
{
    CertificateProfile profile;
    const char16_t *name;
};
constexpr ProfileEntry profiles[] = {
    {CertificateProfile::SelfSignedServer, u"self-signed"},
    {CertificateProfile::CertificateAuthority, u"ca"},
    {CertificateProfile::IntermediateCa, u"intermediate"},
    {CertificateProfile::Server, u"server"},
    {CertificateProfile::Client, u"client"},
};

bool needsIssuer(CertificateProfile p)
{
    return p == CertificateProfile::Server || p == CertificateProfile::Client
        || p == CertificateProfile::IntermediateCa;
}

bool isCa(CertificateProfile p)
{
    return p == CertificateProfile::CertificateAuthority || p == CertificateProfile::IntermediateCa;
}

struct KeygenState
{
    const ProgressCallback *progress = nullptr;
    int primesFound = 0;
    bool cancelled = false;
};

int keygenCallback(EVP_PKEY_CTX *ctx)
{
    auto *state = static_cast<KeygenState *>(EVP_PKEY_CTX_get_app_data(ctx));
    if (!state || !state->progress || !*state->progress)
        return 1;
    // OpenSSL reports (3, n) when one of the RSA primes is done; everything else is the search. The second number is
    // no count: OpenSSL 3.0's FIPS 186-4 generator reports (3, 0) for both primes (measured), so the reports are
    // counted here.
    if (EVP_PKEY_CTX_get_keygen_info(ctx, 0) == 3)
        ++state->primesFound;
    const int percent = state->primesFound >= 2 ? 95 : state->primesFound * 50;
    if (!(*state->progress)(percent)) {
        state->cancelled = true;
        return 0;
    }
    return 1;
}

bool isDnsName(const QString &name)
{
    if (name.isEmpty() || name.size() > 253)
        return false;
    const QStringList labels = name.split(u'.');
    for (qsizetype i = 0; i < labels.size(); ++i) {
        const QString &label = labels.at(i);
        if (label == u"*" && i == 0 && labels.size() > 1)
            continue;
        if (label.isEmpty() || label.size() > 63 || label.startsWith(u'-') || label.endsWith(u'-'))
            return false;
        for (QChar c : label) {
            if (!(c.isLetterOrNumber() || c == u'-' || c == u'_'))
                return false;
        }
    }
    return true;
}

QString keyUsageDefault(CertificateProfile profile, KeyType keyType)
{
    if (isCa(profile))
        return u"critical,digitalSignature,keyCertSign,cRLSign"_s;
    const bool rsa = keyType == KeyType::Rsa2048 || keyType == KeyType::Rsa3072 || keyType == KeyType::Rsa4096;
    return rsa ? u"critical,digitalSignature,keyEncipherment"_s : u"critical,digitalSignature"_s;
}

QString ekuDefault(CertificateProfile profile)
{
    switch (profile) {
    case CertificateProfile::SelfSignedServer:
    case CertificateProfile::Server:
        return u"serverAuth"_s;
    case CertificateProfile::Client:
        return u"clientAuth"_s;
    default:
        return {};
    }
}

Ossl::X509Ptr toX509(const QSslCertificate &cert)
{
    if (cert.isNull() || !cert.handle())
        return nullptr;
    return Ossl::X509Ptr(X509_dup(Ossl::x509Of(cert.handle())));
}

bool setRandomSerial(X509 *x509)
{
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        return false;
    bytes[0] &= 0x7f; // positive
    bytes[0] |= 0x40; // and always 16 bytes long
    std::unique_ptr<BIGNUM, Ossl::Deleter<BN_free>> bn(BN_bin2bn(bytes, sizeof bytes, nullptr));
    return bn && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x509));
}

} // namespace

QString keyTypeName(KeyType type)
{
    for (const auto &e : keyTypes) {
        if (e.type == type)
            return QString::fromUtf16(e.name);
    }
    return {};
}

std::optional<KeyType> keyTypeFromName(QStringView name)
{
    for (const auto &e : keyTypes) {
        if (name.compare(QStringView(e.name), Qt::CaseInsensitive) == 0)
            return e.type;
    }
    return std::nullopt;
}

QString profileName(CertificateProfile profile)
{
    for (const auto &e : profiles) {
        if (e.profile == profile)
            return QString::fromUtf16(e.name);
    }
    return {};
}

std::optional<CertificateProfile> profileFromName(QStringView name)
{
    for (const auto &e : profiles) {
        if (name.compare(QStringView(e.name), Qt::CaseInsensitive) == 0)
            return e.profile;
    }
    return std::nullopt;
}

QString CertificateGenerator::cancelledMessage()
{
    return u"key generation cancelled"_s;
}

Result<PrivateKey> CertificateGenerator::generateKey(KeyType type, const ProgressCallback &progress)
{
    EVP_PKEY *pkey = nullptr;
    switch (type) {
    case KeyType::Rsa2048:
    case KeyType::Rsa3072:
    case KeyType::Rsa4096: {
        const unsigned bits = type == KeyType::Rsa2048 ? 2048 : type == KeyType::Rsa3072 ? 3072 : 4096;
        Ossl::PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
        if (!ctx || EVP_PKEY_keygen_init(ctx.get()) <= 0
            || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), int(bits)) <= 0) {
            return Result<PrivateKey>::failure(u"cannot set up RSA key generation: %1"_s.arg(Ossl::takeErrorText()));
        }
        KeygenState state;
        state.progress = &progress;
        EVP_PKEY_CTX_set_app_data(ctx.get(), &state);
        EVP_PKEY_CTX_set_cb(ctx.get(), keygenCallback);
        const int ok = EVP_PKEY_keygen(ctx.get(), &pkey);
        if (state.cancelled) {
            EVP_PKEY_free(pkey);
            ERR_clear_error();
            return Result<PrivateKey>::failure(cancelledMessage());
        }
        if (ok <= 0 || !pkey)
            return Result<PrivateKey>::failure(u"RSA key generation failed: %1"_s.arg(Ossl::takeErrorText()));
        break;
    }
    case KeyType::EcP256:
        pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
        break;
    case KeyType::EcP384:
        pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384");
        break;
    case KeyType::Ed25519:
        pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
        break;
    }
    if (!pkey)
        return Result<PrivateKey>::failure(u"key generation failed: %1"_s.arg(Ossl::takeErrorText()));
    if (progress)
        progress(100);
    return PrivateKey::adopt(pkey);
}

Result<QStringList> CertificateGenerator::parseSubjectAltNames(const QStringList &entries)
{
    QStringList out;
    for (const QString &raw : entries) {
        const QString entry = raw.trimmed();
        if (entry.isEmpty())
            continue;
        const qsizetype colon = entry.indexOf(u':');
        QString type = colon > 0 ? entry.left(colon).trimmed() : QString();
        QString value = colon > 0 ? entry.mid(colon + 1).trimmed() : entry;
        const QString lower = type.toLower();
        if (lower != u"dns" && lower != u"ip" && lower != u"email" && lower != u"uri") {
            // No known prefix: a bare name or address (an IPv6 address has colons of its own).
            if (!type.isEmpty() && lower != u"dns" && QHostAddress(entry).isNull() && !entry.contains(u"//"_s))
                return Result<QStringList>::failure(
                    u"%1: unknown SAN type \"%2\" (use DNS:, IP:, email: or URI:)"_s.arg(entry, type));
            value = entry;
            type = QHostAddress(entry).isNull() ? u"DNS"_s : u"IP"_s;
        }
        type = type.toLower() == u"dns" ? u"DNS"_s
            : type.toLower() == u"ip"   ? u"IP"_s
            : type.toLower() == u"uri"  ? u"URI"_s
                                        : u"email"_s;
        const QString shown = type + u':' + value;
        if (value.isEmpty())
            return Result<QStringList>::failure(u"%1 has no value"_s.arg(shown));
        if (value.contains(u',') || value.contains(u' '))
            return Result<QStringList>::failure(u"%1 contains a comma or a space"_s.arg(shown));
        if (type == u"IP") {
            QHostAddress address;
            if (!address.setAddress(value) || value.contains(u'%'))
                return Result<QStringList>::failure(u"%1 is not an IP address"_s.arg(shown));
        } else if (type == u"DNS") {
            if (!isDnsName(value))
                return Result<QStringList>::failure(u"%1 is not a valid DNS name"_s.arg(shown));
        } else if (type == u"email") {
            if (!value.contains(u'@') || value.startsWith(u'@') || value.endsWith(u'@'))
                return Result<QStringList>::failure(u"%1 is not an email address"_s.arg(shown));
        } else {
            const QUrl url(value, QUrl::StrictMode);
            if (!url.isValid() || url.scheme().isEmpty())
                return Result<QStringList>::failure(u"%1 is not a URI with a scheme"_s.arg(shown));
        }
        out.append(shown);
    }
    return out;
}

Status CertificateGenerator::validate(const CertificateRequest &request)
{
    if (request.subject.commonName.isEmpty() && request.subjectAltNames.isEmpty())
        return Status::failure(u"a certificate needs a common name or a subject alternative name"_s);
    if (!request.subject.country.isEmpty()
        && (request.subject.country.size() != 2 || !request.subject.country.at(0).isLetter()
            || !request.subject.country.at(1).isLetter()))
        return Status::failure(
            u"country \"%1\" must be a two-letter code such as DE or US"_s.arg(request.subject.country));
    const auto sans = parseSubjectAltNames(request.subjectAltNames);
    if (!sans)
        return Status::failure(sans.error());
    if (request.notBefore.isValid() && request.notAfter.isValid() && request.notAfter <= request.notBefore)
        return Status::failure(u"the end date is not after the start date"_s);
    if (request.pathLength && *request.pathLength < 0)
        return Status::failure(u"the path length must not be negative"_s);
    if (request.keyType != KeyType::Ed25519 && !EVP_get_digestbyname(request.digest.toLatin1().constData()))
        return Status::failure(u"unknown digest \"%1\""_s.arg(request.digest));
    if (needsIssuer(request.profile)) {
        if (!request.issuer || request.issuer->isNull())
            return Status::failure(
                u"a %1 certificate needs an issuing CA (certificate and key)"_s.arg(profileName(request.profile)));
        X509 *ca = Ossl::x509Of(request.issuer->leaf().handle());
        if (X509_check_ca(ca) == 0)
            return Status::failure(
                u"the issuer %1 is not a CA certificate"_s.arg(request.issuer->leaf().subjectDisplayName()));
        if (!request.issuer->key.matches(request.issuer->leaf()))
            return Status::failure(u"the issuer's key does not match its certificate"_s);
    }
    return {};
}

Result<Identity> CertificateGenerator::generate(const CertificateRequest &request, const ProgressCallback &progress)
{
    using R = Result<Identity>;
    if (const Status valid = validate(request); !valid)
        return R::failure(valid.error());
    QStringList sans = parseSubjectAltNames(request.subjectAltNames).value();
    const bool serverProfile
        = request.profile == CertificateProfile::SelfSignedServer || request.profile == CertificateProfile::Server;
    if (sans.isEmpty() && serverProfile && !request.subject.commonName.isEmpty()) {
        // Clients match names against the SANs only: a server certificate without them is useless.
        const auto fromCn = parseSubjectAltNames({request.subject.commonName});
        if (fromCn)
            sans = *fromCn;
    }

    auto key = generateKey(request.keyType, progress);
    if (!key)
        return R::failure(key.error());

    Ossl::X509Ptr cert(X509_new());
    X509_set_version(cert.get(), X509_VERSION_3);
    if (!setRandomSerial(cert.get()))
        return R::failure(u"cannot make a random serial number"_s);

    const QDateTime notBefore
        = request.notBefore.isValid() ? request.notBefore : QDateTime::currentDateTimeUtc().addSecs(-60);
    const QDateTime notAfter = request.notAfter.isValid() ? request.notAfter : notBefore.addDays(365);
    if (notAfter <= notBefore)
        return R::failure(u"the end date is not after the start date"_s);
    ASN1_TIME_set(X509_getm_notBefore(cert.get()), time_t(notBefore.toSecsSinceEpoch()));
    ASN1_TIME_set(X509_getm_notAfter(cert.get()), time_t(notAfter.toSecsSinceEpoch()));

    X509_NAME *name = X509_get_subject_name(cert.get());
    const std::pair<const char *, QString> attributes[] = {
        {"C", request.subject.country},
        {"ST", request.subject.state},
        {"L", request.subject.locality},
        {"O", request.subject.organization},
        {"OU", request.subject.organizationalUnit},
        {"CN", request.subject.commonName},
        {"emailAddress", request.subject.email},
    };
    for (const auto &[field, value] : attributes) {
        if (value.isEmpty())
            continue;
        const QByteArray utf8 = value.toUtf8();
        if (!X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                reinterpret_cast<const unsigned char *>(utf8.constData()), int(utf8.size()), -1, 0))
            return R::failure(
                u"invalid subject %1 \"%2\": %3"_s.arg(QString::fromLatin1(field), value, Ossl::takeErrorText()));
    }
    if (!X509_set_pubkey(cert.get(), key->handle()))
        return R::failure(u"cannot set the public key: %1"_s.arg(Ossl::takeErrorText()));

    Ossl::X509Ptr issuerCert;
    EVP_PKEY *signingKey = key->handle();
    if (needsIssuer(request.profile)) {
        issuerCert = toX509(request.issuer->leaf());
        signingKey = request.issuer->key.handle();
        X509_set_issuer_name(cert.get(), X509_get_subject_name(issuerCert.get()));
    } else {
        X509_set_issuer_name(cert.get(), name);
    }

    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuerCert ? issuerCert.get() : cert.get(), cert.get(), nullptr, nullptr, 0);
    auto add = [&](int nid, const QString &value) -> Status {
        if (value.isEmpty())
            return {};
        QByteArray v = value.toUtf8();
        Ossl::X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, v.data()));
        if (!ext || !X509_add_ext(cert.get(), ext.get(), -1))
            return Status::failure(
                u"invalid %1 \"%2\": %3"_s.arg(QString::fromLatin1(OBJ_nid2ln(nid)), value, Ossl::takeErrorText()));
        return {};
    };

    QString basicConstraints;
    if (isCa(request.profile)) {
        basicConstraints = u"critical,CA:TRUE"_s;
        const std::optional<int> pathLength = request.pathLength
            ? request.pathLength
            : (request.profile == CertificateProfile::IntermediateCa ? std::optional<int>(0) : std::nullopt);
        if (pathLength)
            basicConstraints += u",pathlen:%1"_s.arg(*pathLength);
    } else {
        basicConstraints = u"critical,CA:FALSE"_s;
    }
    const QString comment = request.comment.isEmpty()
        ? u"Generated by TLS Lab (%1 profile)"_s.arg(profileName(request.profile))
        : request.comment;
    // The SKI first: the AKI of a self-signed certificate is computed from it.
    const std::pair<int, QString> extensions[] = {
        {NID_basic_constraints, basicConstraints},
        {NID_key_usage,
            request.keyUsage.isEmpty() ? keyUsageDefault(request.profile, request.keyType) : request.keyUsage},
        {NID_ext_key_usage,
            request.extendedKeyUsage.isEmpty() ? ekuDefault(request.profile) : request.extendedKeyUsage},
        {NID_subject_key_identifier, u"hash"_s},
        {NID_authority_key_identifier, u"keyid:always"_s},
        {NID_subject_alt_name, sans.join(u',')},
        {NID_netscape_comment, comment},
    };
    for (const auto &[nid, value] : extensions) {
        if (const Status s = add(nid, value); !s)
            return R::failure(s.error());
    }

    const EVP_MD *digest = nullptr;
    const int signerType = EVP_PKEY_get_base_id(signingKey);
    if (signerType != EVP_PKEY_ED25519 && signerType != EVP_PKEY_ED448)
        digest = EVP_get_digestbyname(request.digest.toLatin1().constData());
    if (X509_sign(cert.get(), signingKey, digest) <= 0)
        return R::failure(u"signing failed: %1"_s.arg(Ossl::takeErrorText()));

    Identity identity;
    identity.chain.append(Ossl::toQt(cert.get()));
    if (identity.chain.first().isNull())
        return R::failure(u"the new certificate cannot be encoded"_s);
    if (needsIssuer(request.profile))
        identity.chain += request.issuer->chain;
    identity.key = std::move(key).value();
    return identity;
}

} // namespace TlsLab::Model
