#pragma once

// Internal helpers for the model's OpenSSL code: owning pointers, memory BIOs and OpenSSL's error queue as text.
// Not part of the model's public API.

#include <QByteArray>
#include <QList>
#include <QSslCertificate>
#include <QString>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

namespace TlsLab::Model::Ossl {

template<auto Free>
struct Deleter
{
    template<typename T>
    void operator()(T *p) const
    {
        Free(p);
    }
};

using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Deleter<EVP_PKEY_CTX_free>>;
using X509ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

// A read-only BIO over data (which must outlive it).
inline BioPtr memoryBio(const QByteArray &data)
{
    return BioPtr(BIO_new_mem_buf(data.constData(), int(data.size())));
}

inline BioPtr newMemoryBio()
{
    return BioPtr(BIO_new(BIO_s_mem()));
}

inline QByteArray bioContents(BIO *bio)
{
    char *data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return QByteArray(data, size > 0 ? qsizetype(size) : 0);
}

// The last error of OpenSSL's queue as its reason text ("bad decrypt"), clearing the queue.
inline QString takeErrorText()
{
    unsigned long last = 0;
    while (const unsigned long e = ERR_get_error())
        last = e;
    if (!last)
        return {};
    const char *reason = ERR_reason_error_string(last);
    return reason ? QString::fromLatin1(reason) : QStringLiteral("error %1").arg(last, 0, 16);
}

struct PemBlock
{
    QByteArray label;
    QByteArray text; // BEGIN line to END line inclusive
    bool complete = false;
};

// Whether DER bytes can be an unencrypted private key as OpenSSL's decoders read one: a SEQUENCE whose first element is
// an INTEGER (PKCS#8 PrivateKeyInfo and the traditional RSA, EC and DSA forms all begin with a version). OpenSSL 3's
// key decoders are built afresh for every try and cost far more than the key itself, so bytes that cannot be a key
// are not handed to them.
inline bool mayBeDerPrivateKey(const QByteArray &der)
{
    const auto *u = reinterpret_cast<const unsigned char *>(der.constData());
    const qsizetype n = der.size();
    if (n < 3 || u[0] != 0x30)
        return false;
    qsizetype first = 2;
    if (u[1] & 0x80) {
        const int lengthBytes = u[1] & 0x7f; // 0: BER's indefinite length
        if (lengthBytes > 4)
            return false;
        first += lengthBytes;
    }
    return first < n && u[first] == 0x02;
}

// Every "-----BEGIN X-----" ... "-----END X-----" block, in order; a block without its END line is incomplete.
inline QList<PemBlock> pemBlocks(const QByteArray &data)
{
    QList<PemBlock> blocks;
    qsizetype pos = 0;
    while ((pos = data.indexOf("-----BEGIN ", pos)) >= 0) {
        const qsizetype labelStart = pos + 11;
        const qsizetype labelEnd = data.indexOf("-----", labelStart);
        PemBlock block;
        if (labelEnd < 0) {
            block.label = data.mid(labelStart, data.indexOf('\n', labelStart) - labelStart).trimmed();
            block.text = data.mid(pos);
            blocks.append(block);
            break;
        }
        block.label = data.mid(labelStart, labelEnd - labelStart);
        const QByteArray endLine = "-----END " + block.label + "-----";
        const qsizetype end = data.indexOf(endLine, labelEnd);
        const qsizetype nextBegin = data.indexOf("-----BEGIN ", labelEnd);
        if (end < 0 || (nextBegin >= 0 && nextBegin < end)) {
            block.text = data.mid(pos, nextBegin >= 0 ? nextBegin - pos : -1);
            blocks.append(block);
            if (nextBegin < 0)
                break;
            pos = nextBegin;
            continue;
        }
        block.complete = true;
        block.text = data.mid(pos, end + endLine.size() - pos);
        block.text.append('\n');
        blocks.append(block);
        pos = end + endLine.size();
    }
    return blocks;
}

inline X509 *x509Of(const void *qtHandle)
{
    return static_cast<X509 *>(const_cast<void *>(qtHandle));
}

// The DER encoding of a certificate (empty when it cannot be encoded).
inline QByteArray derOf(X509 *x509)
{
    unsigned char *der = nullptr;
    const int len = x509 ? i2d_X509(x509, &der) : -1;
    if (len <= 0)
        return {};
    QByteArray out(reinterpret_cast<const char *>(der), len);
    OPENSSL_free(der);
    return out;
}

// The one conversion of an OpenSSL certificate into Qt's: through DER, because QSslCertificate cannot adopt an X509*.
// A null QSslCertificate when it cannot be encoded.
inline QSslCertificate toQt(X509 *x509)
{
    const QByteArray der = derOf(x509);
    return der.isEmpty() ? QSslCertificate() : QSslCertificate(der, QSsl::Der);
}

} // namespace TlsLab::Model::Ossl
