#pragma once

#include "model/certs/identity.h"
#include "model/certs/privatekey.h"
#include "model/core/result.h"

#include <QByteArray>
#include <QList>
#include <QSslCertificate>
#include <QString>

namespace TlsLab::Model {

// Reading and writing certificates, chains and keys: PEM, DER and PKCS#12. Every failure is a message naming the file
// and the problem. Files are never overwritten unless asked; key material is written with mode 0600 from the start.
class CertificateIo
{
public:
    enum class Overwrite { No, Yes };

    // The most a certificate, key, CA or PKCS#12 file may hold: an endless or huge file (/dev/zero, a disk image given
    // by mistake) is an error, never read until memory runs out.
    static constexpr qint64 MaxFileBytes = 1024 * 1024;
    // The whole file, or "PATH: no such file" / "PATH: cannot read (...)" / "PATH: empty file" / "PATH: is a
    // directory, not a file" / "PATH is not a regular file" / "PATH is 100 MB; certificate files are at most 1 MB".
    // Every file input goes through here: only regular files are read (a FIFO or a device could be endless), with
    // a size cap (what names the files in the message).
    static Result<QByteArray> readFile(
        const QString &path, qint64 maxBytes = MaxFileBytes, const QString &what = QStringLiteral("certificate files"));

    // One or more certificates from PEM (any number of CERTIFICATE blocks) or DER (one certificate).
    static Result<QList<QSslCertificate>> certificatesFromData(const QByteArray &data, const QString &sourceName);
    static Result<QList<QSslCertificate>> readCertificates(const QString &path);

    // A PKCS#12 bundle: its certificate, key and extra certificates as an identity (leaf first).
    static Result<Identity> identityFromPkcs12(
        const QByteArray &data, const QByteArray &passphrase, const QString &sourceName);
    static bool isPkcs12(const QByteArray &data);
    // Loads a PEM or DER certificate file (a chain is allowed) and a PEM or DER key (encrypted or not, any key type).
    // Errors name the file and the problem; a key that does not match the certificate is an error.
    static Result<Identity> loadIdentity(
        const QString &certificatePath, const QString &keyPath, const QByteArray &passphrase = {});
    // Imports an identity from a PKCS#12 file, or from a certificate file plus a key file (the key may also be in
    // the certificate file when keyPath is empty).
    static Result<Identity> importIdentity(
        const QString &path, const QString &keyPath = {}, const QByteArray &passphrase = {});

    static QByteArray certificatesToPem(const QList<QSslCertificate> &certificates);
    static QByteArray pkcs12(const Identity &identity, const QByteArray &passphrase, const QString &friendlyName = {});

    // Writing. secret files (keys, PKCS#12) are created with mode 0600, others 0644 (both less the umask).
    static Status writeFile(const QString &path, const QByteArray &data, bool secret, Overwrite overwrite);
    static Status writeCertificatePem(const QString &path, const QSslCertificate &certificate, Overwrite overwrite);
    static Status writeChainPem(const QString &path, const QList<QSslCertificate> &chain, Overwrite overwrite);
    static Status writeCertificateDer(const QString &path, const QSslCertificate &certificate, Overwrite overwrite);
    // PKCS#8 PEM, AES-256-CBC encrypted when a passphrase is given; mode 0600.
    static Status writeKeyPem(
        const QString &path, const PrivateKey &key, const QByteArray &passphrase, Overwrite overwrite);
    // PKCS#12 (AES-256, SHA-256 MAC) with the identity's whole chain; mode 0600. A passphrase is required.
    static Status writePkcs12(const QString &path, const Identity &identity, const QByteArray &passphrase,
        Overwrite overwrite, const QString &friendlyName = {});
};

} // namespace TlsLab::Model
