#include "model/certs/certificateio.h"

#include "model/core/opensslutil.h"

#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>

#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {

using Pkcs12Ptr = std::unique_ptr<PKCS12, Ossl::Deleter<PKCS12_free>>;

bool isCertificateLabel(const QByteArray &label)
{
    return label == "CERTIFICATE" || label == "X509 CERTIFICATE" || label == "TRUSTED CERTIFICATE";
}

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

bool writeAll(int fd, const QByteArray &data)
{
    qsizetype done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.constData() + done, size_t(data.size() - done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        done += n;
    }
    return true;
}

} // namespace

Result<QByteArray> CertificateIo::readFile(const QString &path, qint64 maxBytes, const QString &what)
{
    using R = Result<QByteArray>;
    if (path.isEmpty())
        return R::failure(u"no file name given"_s);
    const QFileInfo info(path);
    if (!info.exists())
        return R::failure(u"%1: no such file"_s.arg(path));
    if (info.isDir())
        return R::failure(u"%1: is a directory, not a file"_s.arg(path));
    // Non-blocking, so that opening a FIFO nobody writes to does not hang; the descriptor is checked, not the name, so
    // what is read is what was checked.
    const int fd = ::open(QFile::encodeName(path).constData(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return R::failure(u"%1: cannot read (%2)"_s.arg(path, errnoText()));
    const auto closeFd = qScopeGuard([fd] { ::close(fd); });
    struct stat st = {};
    if (::fstat(fd, &st) != 0)
        return R::failure(u"%1: cannot read (%2)"_s.arg(path, errnoText()));
    if (!S_ISREG(st.st_mode))
        return R::failure(u"%1 is not a regular file"_s.arg(path));
    auto size = [](qint64 bytes) {
        constexpr qint64 Mb = 1024 * 1024;
        // Exact where it matters (just over the cap), short where it does not.
        if (bytes % Mb == 0 || bytes >= 10 * Mb)
            return u"%1 MB"_s.arg(bytes / Mb);
        return u"%1 bytes"_s.arg(bytes);
    };
    auto tooBig = [&](qint64 bytes) {
        return R::failure(u"%1 is %2; %3 are at most %4"_s.arg(path, size(bytes), what, size(maxBytes)));
    };
    if (st.st_size > maxBytes)
        return tooBig(st.st_size);
    // Read at most one byte past the cap: a file that grows while being read is refused too.
    QByteArray data(maxBytes + 1, Qt::Uninitialized);
    qint64 done = 0;
    while (done < data.size()) {
        const ssize_t n = ::read(fd, data.data() + done, size_t(data.size() - done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return R::failure(u"%1: cannot read (%2)"_s.arg(path, errnoText()));
        }
        if (n == 0)
            break;
        done += n;
    }
    if (done > maxBytes)
        return tooBig(done);
    data.truncate(done);
    if (data.trimmed().isEmpty())
        return R::failure(u"%1: empty file"_s.arg(path));
    return data;
}

Result<QList<QSslCertificate>> CertificateIo::certificatesFromData(const QByteArray &data, const QString &sourceName)
{
    using R = Result<QList<QSslCertificate>>;
    const QString name = sourceName.isEmpty() ? u"certificate"_s : sourceName;
    if (data.trimmed().isEmpty())
        return R::failure(u"%1: empty file"_s.arg(name));

    if (data.contains("-----BEGIN ")) {
        const QList<Ossl::PemBlock> blocks = Ossl::pemBlocks(data);
        QList<QSslCertificate> certificates;
        int index = 0;
        for (const Ossl::PemBlock &block : blocks) {
            if (!isCertificateLabel(block.label))
                continue;
            ++index;
            if (!block.complete)
                return R::failure(
                    u"%1: truncated or malformed PEM (certificate %2 has no END line)"_s.arg(name).arg(index));
            ERR_clear_error();
            Ossl::BioPtr bio = Ossl::memoryBio(block.text);
            Ossl::X509Ptr x509(PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr));
            if (!x509) {
                const QString reason = Ossl::takeErrorText();
                return R::failure(u"%1: truncated or malformed PEM (certificate %2: %3)"_s.arg(name).arg(index).arg(
                    reason.isEmpty() ? u"cannot decode"_s : reason));
            }
            const QSslCertificate cert = Ossl::toQt(x509.get());
            if (cert.isNull())
                return R::failure(u"%1: certificate %2 cannot be read"_s.arg(name).arg(index));
            certificates.append(cert);
        }
        if (!certificates.isEmpty())
            return certificates;
        for (const Ossl::PemBlock &block : blocks) {
            if (block.label.endsWith("PRIVATE KEY"))
                return R::failure(u"%1: not a certificate (found a private key)"_s.arg(name));
        }
        for (const Ossl::PemBlock &block : blocks) {
            if (block.label.contains("REQUEST"))
                return R::failure(u"%1: not a certificate (found a certificate signing request)"_s.arg(name));
        }
        if (blocks.isEmpty() || blocks.first().label.isEmpty())
            return R::failure(u"%1: truncated or malformed PEM"_s.arg(name));
        return R::failure(u"%1: not a certificate (found %2)"_s.arg(name, QString::fromLatin1(blocks.first().label)));
    }

    // DER: exactly one certificate.
    const auto *p = reinterpret_cast<const unsigned char *>(data.constData());
    Ossl::X509Ptr x509(d2i_X509(nullptr, &p, long(data.size())));
    ERR_clear_error();
    if (x509) {
        const QSslCertificate cert = Ossl::toQt(x509.get());
        if (!cert.isNull())
            return QList<QSslCertificate> {cert};
    }
    if (isPkcs12(data))
        return R::failure(u"%1: a PKCS#12 bundle, not a certificate file (import it with its passphrase)"_s.arg(name));
    if (Ossl::mayBeDerPrivateKey(data)) {
        const auto *k = reinterpret_cast<const unsigned char *>(data.constData());
        EVP_PKEY *pkey = d2i_AutoPrivateKey(nullptr, &k, long(data.size()));
        ERR_clear_error();
        if (pkey) {
            EVP_PKEY_free(pkey);
            return R::failure(u"%1: not a certificate (found a private key)"_s.arg(name));
        }
    }
    // A DER SEQUENCE whose declared length runs past the end of the file was cut short.
    const auto *u = reinterpret_cast<const unsigned char *>(data.constData());
    if (data.size() >= 4 && u[0] == 0x30 && (u[1] & 0x80)) {
        const int lenBytes = u[1] & 0x7f;
        if (lenBytes >= 1 && lenBytes <= 4 && data.size() > 2 + lenBytes) {
            qint64 declared = 0;
            for (int i = 0; i < lenBytes; ++i)
                declared = (declared << 8) | u[2 + i];
            if (declared + 2 + lenBytes > data.size())
                return R::failure(u"%1: truncated DER certificate (%2 of %3 bytes)"_s.arg(name)
                                      .arg(data.size())
                                      .arg(declared + 2 + lenBytes));
        }
    }
    return R::failure(u"%1: not a certificate (neither PEM nor DER)"_s.arg(name));
}

Result<QList<QSslCertificate>> CertificateIo::readCertificates(const QString &path)
{
    auto data = readFile(path);
    if (!data)
        return Result<QList<QSslCertificate>>::failure(data.error());
    return certificatesFromData(*data, path);
}

bool CertificateIo::isPkcs12(const QByteArray &data)
{
    if (data.isEmpty() || data.contains("-----BEGIN "))
        return false;
    const auto *p = reinterpret_cast<const unsigned char *>(data.constData());
    Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, long(data.size())));
    ERR_clear_error();
    return bool(p12);
}

Result<Identity> CertificateIo::identityFromPkcs12(
    const QByteArray &data, const QByteArray &passphrase, const QString &sourceName)
{
    using R = Result<Identity>;
    const QString name = sourceName.isEmpty() ? u"PKCS#12"_s : sourceName;
    const auto *p = reinterpret_cast<const unsigned char *>(data.constData());
    Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, long(data.size())));
    if (!p12) {
        ERR_clear_error();
        return R::failure(u"%1: not a PKCS#12 bundle (or truncated)"_s.arg(name));
    }
    const char *pass = passphrase.isEmpty() ? nullptr : passphrase.constData();
    const int passLen = passphrase.isEmpty() ? 0 : int(passphrase.size());
    if (PKCS12_mac_present(p12.get())) {
        // An empty passphrase may be encoded as NULL or as "": accept either.
        const bool macOk = PKCS12_verify_mac(p12.get(), pass, passLen)
            || (passphrase.isEmpty() && PKCS12_verify_mac(p12.get(), "", 0));
        if (!macOk) {
            ERR_clear_error();
            return R::failure(
                passphrase.isEmpty() ? u"%1: a passphrase is needed"_s.arg(name) : u"%1: wrong passphrase"_s.arg(name));
        }
    }
    EVP_PKEY *pkey = nullptr;
    X509 *cert = nullptr;
    STACK_OF(X509) *ca = nullptr;
    if (!PKCS12_parse(p12.get(), passphrase.isEmpty() ? "" : passphrase.constData(), &pkey, &cert, &ca)) {
        const QString reason = Ossl::takeErrorText();
        return R::failure(u"%1: cannot open the PKCS#12 bundle (%2)"_s.arg(name, reason));
    }
    Identity identity;
    identity.key = PrivateKey::adopt(pkey);
    if (cert) {
        identity.chain.append(Ossl::toQt(cert));
        X509_free(cert);
    }
    for (int i = 0; ca && i < sk_X509_num(ca); ++i)
        identity.chain.append(Ossl::toQt(sk_X509_value(ca, i)));
    sk_X509_pop_free(ca, X509_free);
    if (identity.chain.isEmpty())
        return R::failure(u"%1: the PKCS#12 bundle holds no certificate"_s.arg(name));
    if (identity.key.isNull())
        return R::failure(u"%1: the PKCS#12 bundle holds no private key"_s.arg(name));
    if (!identity.key.matches(identity.leaf()))
        return R::failure(u"%1: the private key does not match the certificate in the bundle"_s.arg(name));
    identity.certificatePath = sourceName;
    identity.keyPath = sourceName;
    return identity;
}

Result<Identity> CertificateIo::loadIdentity(
    const QString &certificatePath, const QString &keyPath, const QByteArray &passphrase)
{
    auto certificates = readCertificates(certificatePath);
    if (!certificates)
        return Result<Identity>::failure(certificates.error());
    auto key = PrivateKey::fromFile(keyPath, passphrase);
    if (!key)
        return Result<Identity>::failure(key.error());
    if (!key->matches(certificates->first()))
        return Result<Identity>::failure(u"%1 does not match the certificate in %2"_s.arg(keyPath, certificatePath));
    Identity identity;
    identity.chain = std::move(certificates).value();
    identity.key = std::move(key).value();
    identity.certificatePath = certificatePath;
    identity.keyPath = keyPath;
    return identity;
}

Result<Identity> CertificateIo::importIdentity(
    const QString &path, const QString &keyPath, const QByteArray &passphrase)
{
    auto data = readFile(path);
    if (!data)
        return Result<Identity>::failure(data.error());
    if (isPkcs12(*data))
        return identityFromPkcs12(*data, passphrase, path);
    return loadIdentity(path, keyPath.isEmpty() ? path : keyPath, passphrase);
}

QByteArray CertificateIo::certificatesToPem(const QList<QSslCertificate> &certificates)
{
    QByteArray pem;
    for (const QSslCertificate &c : certificates)
        pem += c.toPem();
    return pem;
}

QByteArray CertificateIo::pkcs12(const Identity &identity, const QByteArray &passphrase, const QString &friendlyName)
{
    if (identity.isNull())
        return {};
    STACK_OF(X509) *ca = sk_X509_new_null();
    for (qsizetype i = 1; i < identity.chain.size(); ++i)
        sk_X509_push(ca, Ossl::x509Of(identity.chain.at(i).handle()));
    const QByteArray name = friendlyName.toUtf8();
    PKCS12 *p12 = PKCS12_create(passphrase.constData(), name.isEmpty() ? nullptr : name.constData(),
        identity.key.handle(), Ossl::x509Of(identity.leaf().handle()), ca, NID_aes_256_cbc, NID_aes_256_cbc, 0, 0, 0);
    sk_X509_free(ca); // the stack only borrowed the certificates
    if (!p12) {
        ERR_clear_error();
        return {};
    }
    unsigned char *der = nullptr;
    const int len = i2d_PKCS12(p12, &der);
    PKCS12_free(p12);
    if (len <= 0)
        return {};
    QByteArray out(reinterpret_cast<const char *>(der), len);
    OPENSSL_free(der);
    return out;
}

Status CertificateIo::writeFile(const QString &path, const QByteArray &data, bool secret, Overwrite overwrite)
{
    const QByteArray native = QFile::encodeName(path);
    const mode_t mode = secret ? 0600 : 0644;
    if (overwrite == Overwrite::No) {
        // O_EXCL: an existing file is never replaced, not even in a race.
        const int fd = ::open(native.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
        if (fd < 0) {
            if (errno == EEXIST)
                return Status::failure(u"%1: already exists (not overwritten)"_s.arg(path));
            return Status::failure(u"%1: cannot create (%2)"_s.arg(path, errnoText()));
        }
        const bool ok = writeAll(fd, data) && ::fsync(fd) == 0;
        const QString error = errnoText();
        ::close(fd);
        if (!ok) {
            ::unlink(native.constData());
            return Status::failure(u"%1: cannot write (%2)"_s.arg(path, error));
        }
        return {};
    }
    // Replace atomically: a temporary file (mkstemp creates it 0600) renamed over the target.
    QByteArray temp = native + ".XXXXXX";
    const int fd = ::mkstemp(temp.data());
    if (fd < 0)
        return Status::failure(u"%1: cannot create (%2)"_s.arg(path, errnoText()));
    bool ok = writeAll(fd, data) && (secret || ::fchmod(fd, mode) == 0) && ::fsync(fd) == 0;
    QString error = errnoText();
    ::close(fd);
    if (ok && ::rename(temp.constData(), native.constData()) != 0) {
        ok = false;
        error = errnoText();
    }
    if (!ok) {
        ::unlink(temp.constData());
        return Status::failure(u"%1: cannot write (%2)"_s.arg(path, error));
    }
    return {};
}

Status CertificateIo::writeCertificatePem(const QString &path, const QSslCertificate &certificate, Overwrite overwrite)
{
    if (certificate.isNull())
        return Status::failure(u"%1: no certificate to write"_s.arg(path));
    return writeFile(path, certificate.toPem(), false, overwrite);
}

Status CertificateIo::writeChainPem(const QString &path, const QList<QSslCertificate> &chain, Overwrite overwrite)
{
    if (chain.isEmpty())
        return Status::failure(u"%1: no certificates to write"_s.arg(path));
    return writeFile(path, certificatesToPem(chain), false, overwrite);
}

Status CertificateIo::writeCertificateDer(const QString &path, const QSslCertificate &certificate, Overwrite overwrite)
{
    if (certificate.isNull())
        return Status::failure(u"%1: no certificate to write"_s.arg(path));
    return writeFile(path, certificate.toDer(), false, overwrite);
}

Status CertificateIo::writeKeyPem(
    const QString &path, const PrivateKey &key, const QByteArray &passphrase, Overwrite overwrite)
{
    const QByteArray pem = key.toPem(passphrase);
    if (pem.isEmpty())
        return Status::failure(u"%1: cannot encode the private key"_s.arg(path));
    return writeFile(path, pem, true, overwrite);
}

Status CertificateIo::writePkcs12(const QString &path, const Identity &identity, const QByteArray &passphrase,
    Overwrite overwrite, const QString &friendlyName)
{
    if (passphrase.isEmpty())
        return Status::failure(u"%1: a PKCS#12 bundle needs a passphrase"_s.arg(path));
    const QByteArray der = pkcs12(identity, passphrase, friendlyName);
    if (der.isEmpty())
        return Status::failure(u"%1: cannot create the PKCS#12 bundle"_s.arg(path));
    return writeFile(path, der, true, overwrite);
}

} // namespace TlsLab::Model
