#include "model/certs/privatekey.h"

#include "model/certs/certificateio.h"
#include "model/core/opensslutil.h"

#include <QFile>
#include <QFileInfo>

#include <openssl/core_names.h>
#include <openssl/decoder.h>
#include <openssl/pem.h>

#include <cstring>
#include <optional>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {

bool isKeyLabel(const QByteArray &label)
{
    return label.endsWith("PRIVATE KEY");
}

int passphraseCallback(char *buf, int size, int, void *userdata)
{
    const auto *passphrase = static_cast<const QByteArray *>(userdata);
    if (!passphrase || passphrase->isEmpty())
        return -1;
    const int n = int(qMin<qsizetype>(passphrase->size(), size));
    std::memcpy(buf, passphrase->constData(), size_t(n));
    return n;
}

QString curveDisplayName(const QByteArray &groupName)
{
    if (groupName == "prime256v1" || groupName == "P-256")
        return u"P-256"_s;
    if (groupName == "secp384r1" || groupName == "P-384")
        return u"P-384"_s;
    if (groupName == "secp521r1" || groupName == "P-521")
        return u"P-521"_s;
    return QString::fromLatin1(groupName);
}

// The bytes a PEM block's base64 lines hold (headers such as Proc-Type skipped); nothing when the base64 is damaged.
std::optional<QByteArray> base64Body(const QByteArray &pem)
{
    QByteArray text;
    for (const QByteArray &line : pem.split('\n')) {
        const QByteArray l = line.trimmed();
        if (l.isEmpty() || l.startsWith("-----") || l.contains(':'))
            continue;
        text += l;
    }
    auto decoded = QByteArray::fromBase64Encoding(text, QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return std::nullopt;
    return std::move(decoded.decoded);
}

Result<PrivateKey> decodeDer(const QByteArray &data, const QByteArray &passphrase, const QString &name)
{
    // A DER certificate in place of a key is a common mistake: say so.
    {
        const auto *p = reinterpret_cast<const unsigned char *>(data.constData());
        Ossl::X509Ptr cert(d2i_X509(nullptr, &p, long(data.size())));
        if (cert)
            return Result<PrivateKey>::failure(u"%1: not a private key (found a certificate)"_s.arg(name));
    }
    // An encrypted PKCS#8 DER structure (X509_SIG) parses without the passphrase.
    bool encrypted = false;
    {
        const auto *p = reinterpret_cast<const unsigned char *>(data.constData());
        X509_SIG *sig = d2i_X509_SIG(nullptr, &p, long(data.size()));
        encrypted = sig != nullptr;
        X509_SIG_free(sig);
        ERR_clear_error();
    }
    if (encrypted && passphrase.isEmpty())
        return Result<PrivateKey>::failure(u"%1: the key is encrypted; a passphrase is needed"_s.arg(name));
    if (!encrypted && !Ossl::mayBeDerPrivateKey(data))
        return Result<PrivateKey>::failure(u"%1: not a private key (neither PEM nor DER key data)"_s.arg(name));

    EVP_PKEY *pkey = nullptr;
    OSSL_DECODER_CTX *ctx
        = OSSL_DECODER_CTX_new_for_pkey(&pkey, "DER", nullptr, nullptr, EVP_PKEY_KEYPAIR, nullptr, nullptr);
    if (!ctx)
        return Result<PrivateKey>::failure(u"%1: cannot decode keys (OpenSSL decoder unavailable)"_s.arg(name));
    if (!passphrase.isEmpty())
        OSSL_DECODER_CTX_set_passphrase(
            ctx, reinterpret_cast<const unsigned char *>(passphrase.constData()), size_t(passphrase.size()));
    const auto *p = reinterpret_cast<const unsigned char *>(data.constData());
    size_t len = size_t(data.size());
    const int ok = OSSL_DECODER_from_data(ctx, &p, &len);
    OSSL_DECODER_CTX_free(ctx);
    ERR_clear_error();
    if (ok && pkey)
        return PrivateKey::adopt(pkey);
    EVP_PKEY_free(pkey);
    if (encrypted)
        return Result<PrivateKey>::failure(u"%1: wrong passphrase"_s.arg(name));
    return Result<PrivateKey>::failure(u"%1: not a private key (neither PEM nor DER key data)"_s.arg(name));
}

} // namespace

PrivateKey PrivateKey::adopt(EVP_PKEY *key)
{
    PrivateKey k;
    if (key)
        k.m_key = std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
    return k;
}

QSslKey PrivateKey::toSslKey() const
{
    if (!m_key)
        return {};
    if (EVP_PKEY_get_base_id(m_key.get()) == EVP_PKEY_RSA || EVP_PKEY_get_base_id(m_key.get()) == EVP_PKEY_EC) {
        // Qt reads RSA and EC keys from PEM and then knows their algorithm and size.
        QSslKey key(toPem(), EVP_PKEY_get_base_id(m_key.get()) == EVP_PKEY_RSA ? QSsl::Rsa : QSsl::Ec, QSsl::Pem,
            QSsl::PrivateKey);
        if (!key.isNull())
            return key;
    }
    // Ed25519 (and anything else): an opaque key; QSslKey takes ownership of one reference.
    EVP_PKEY_up_ref(m_key.get());
    QSslKey key(Qt::HANDLE(m_key.get()), QSsl::PrivateKey);
    return key;
}

QString PrivateKey::algorithm() const
{
    if (!m_key)
        return {};
    switch (EVP_PKEY_get_base_id(m_key.get())) {
    case EVP_PKEY_RSA:
        return u"RSA"_s;
    case EVP_PKEY_RSA_PSS:
        return u"RSA-PSS"_s;
    case EVP_PKEY_EC:
        return u"EC"_s;
    case EVP_PKEY_ED25519:
        return u"Ed25519"_s;
    case EVP_PKEY_ED448:
        return u"Ed448"_s;
    case EVP_PKEY_DSA:
        return u"DSA"_s;
    default:
        break;
    }
    const char *name = EVP_PKEY_get0_type_name(m_key.get());
    return name ? QString::fromLatin1(name) : u"unknown"_s;
}

int PrivateKey::bits() const
{
    return m_key ? EVP_PKEY_get_bits(m_key.get()) : 0;
}

QString PrivateKey::curve() const
{
    if (!m_key || EVP_PKEY_get_base_id(m_key.get()) != EVP_PKEY_EC)
        return {};
    char group[80] = {};
    size_t len = 0;
    if (!EVP_PKEY_get_utf8_string_param(m_key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len))
        return {};
    return curveDisplayName(QByteArray(group, qsizetype(len)));
}

QString PrivateKey::description() const
{
    if (!m_key)
        return u"no key"_s;
    const QString alg = algorithm();
    if (alg == u"RSA" || alg == u"RSA-PSS" || alg == u"DSA")
        return u"%1 %2 bits"_s.arg(alg).arg(bits());
    if (alg == u"EC")
        return u"ECDSA %1"_s.arg(curve());
    return alg;
}

QByteArray PrivateKey::toPem(const QByteArray &passphrase) const
{
    if (!m_key)
        return {};
    Ossl::BioPtr bio = Ossl::newMemoryBio();
    const bool encrypt = !passphrase.isEmpty();
    QByteArray pass = passphrase;
    const int ok = PEM_write_bio_PKCS8PrivateKey(bio.get(), m_key.get(), encrypt ? EVP_aes_256_cbc() : nullptr,
        encrypt ? pass.data() : nullptr, encrypt ? int(pass.size()) : 0, nullptr, nullptr);
    if (!ok) {
        ERR_clear_error();
        return {};
    }
    return Ossl::bioContents(bio.get());
}

Result<PrivateKey> PrivateKey::fromData(const QByteArray &data, const QByteArray &passphrase, const QString &sourceName)
{
    const QString name = sourceName.isEmpty() ? u"key"_s : sourceName;
    if (data.trimmed().isEmpty())
        return Result<PrivateKey>::failure(u"%1: empty file"_s.arg(name));

    if (!data.contains("-----BEGIN "))
        return decodeDer(data, passphrase, name);

    const QList<Ossl::PemBlock> blocks = Ossl::pemBlocks(data);
    const Ossl::PemBlock *keyBlock = nullptr;
    for (const Ossl::PemBlock &b : blocks) {
        if (isKeyLabel(b.label)) {
            keyBlock = &b;
            break;
        }
    }
    if (!keyBlock) {
        for (const Ossl::PemBlock &b : blocks) {
            if (b.label.contains("CERTIFICATE") && !b.label.contains("REQUEST"))
                return Result<PrivateKey>::failure(u"%1: not a private key (found a certificate)"_s.arg(name));
        }
        for (const Ossl::PemBlock &b : blocks) {
            if (b.label.contains("PUBLIC KEY"))
                return Result<PrivateKey>::failure(u"%1: not a private key (found a public key)"_s.arg(name));
        }
        const QString found = blocks.isEmpty() ? QString() : QString::fromLatin1(blocks.first().label);
        return Result<PrivateKey>::failure(found.isEmpty() ? u"%1: truncated or malformed PEM"_s.arg(name)
                                                           : u"%1: not a private key (found %2)"_s.arg(name, found));
    }
    if (!keyBlock->complete)
        return Result<PrivateKey>::failure(u"%1: truncated or malformed PEM (no END line)"_s.arg(name));

    const bool encrypted = keyBlock->label.startsWith("ENCRYPTED") || keyBlock->text.contains("Proc-Type: 4,ENCRYPTED");
    if (encrypted && passphrase.isEmpty())
        return Result<PrivateKey>::failure(u"%1: the key is encrypted; a passphrase is needed"_s.arg(name));

    // The base64 body decides between a damaged file and a wrong passphrase; an unencrypted body that cannot be a
    // key structure is refused before OpenSSL's decoders are built for it.
    const std::optional<QByteArray> body = base64Body(keyBlock->text);
    if (!encrypted && body && !Ossl::mayBeDerPrivateKey(*body))
        return Result<PrivateKey>::failure(u"%1: truncated or malformed PEM (not a key structure)"_s.arg(name));

    ERR_clear_error();
    Ossl::BioPtr bio = Ossl::memoryBio(keyBlock->text);
    QByteArray pass = passphrase;
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio.get(), nullptr, passphraseCallback, &pass);
    if (pkey) {
        ERR_clear_error();
        return adopt(pkey);
    }
    const QString reason = Ossl::takeErrorText();
    if (!body || body->isEmpty())
        return Result<PrivateKey>::failure(u"%1: truncated or malformed PEM (bad base64)"_s.arg(name));
    // With an intact body, a failure to decrypt ("bad decrypt", or garbage after a lucky padding check) means the
    // passphrase is wrong.
    if (encrypted)
        return Result<PrivateKey>::failure(u"%1: wrong passphrase"_s.arg(name));
    return Result<PrivateKey>::failure(
        u"%1: truncated or malformed PEM (%2)"_s.arg(name, reason.isEmpty() ? u"cannot decode the key"_s : reason));
}

Result<PrivateKey> PrivateKey::fromFile(const QString &path, const QByteArray &passphrase)
{
    if (QFileInfo(path).isDir())
        return Result<PrivateKey>::failure(u"%1: is a directory, not a key file"_s.arg(path));
    // One way in for every file: regular files only, with a size cap.
    const Result<QByteArray> data = CertificateIo::readFile(path, CertificateIo::MaxFileBytes, u"key files"_s);
    if (!data)
        return Result<PrivateKey>::failure(data.error());
    return fromData(data.value(), passphrase, path);
}

bool PrivateKey::matches(const QSslCertificate &certificate) const
{
    if (!m_key || certificate.isNull() || !certificate.handle())
        return false;
    const bool ok = X509_check_private_key(Ossl::x509Of(certificate.handle()), m_key.get()) == 1;
    ERR_clear_error();
    return ok;
}

} // namespace TlsLab::Model
