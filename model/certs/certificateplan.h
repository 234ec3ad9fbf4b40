#pragma once

#include "model/certs/certificategenerator.h"
#include "model/certs/certificateio.h"
#include "model/certs/identity.h"
#include "model/core/result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace TlsLab::Model {

// "Generate, then write this plan of files": the one routine behind `tlslab cert new`, the certificate dialog and the
// development certificate, so that all three write the same files the same way. The key is always written first, so a
// certificate never lies on disk without its key; keys and PKCS#12 bundles get mode 0600 (CertificateIo).
class CertificatePlan
{
public:
    struct File
    {
        enum class Kind { Certificate, Key, Chain, Pkcs12, Der };
        Kind kind = Kind::Certificate;
        QString path;
    };

    // What a run did: the identity (its certificatePath/keyPath set to the files written), or the error, and the
    // files that were written before it (none when cancelled or when generation failed).
    struct Outcome
    {
        std::optional<Identity> identity;
        QString error;
        QStringList written;
        bool cancelled = false;
    };

    QList<File> files;
    QByteArray passphrase; // encrypts the key (AES-256) and protects the PKCS#12 bundle; empty: unencrypted key
    CertificateIo::Overwrite overwrite = CertificateIo::Overwrite::No;
    QString friendlyName; // of the PKCS#12 bundle

    // The usual files for a path prefix: PREFIX.pem (certificate), PREFIX.key, then PREFIX.chain.pem (certificate and
    // issuers), PREFIX.p12 and PREFIX.der when asked.
    static QList<File> filesForPrefix(const QString &prefix, bool chain, bool pkcs12, bool der);

    // The planned files that exist already.
    QStringList existingFiles() const;
    // Generates (progress as CertificateGenerator; returning false cancels, also once the key is made) and writes.
    Outcome generateAndWrite(const CertificateRequest &request, const ProgressCallback &progress = {}) const;
    // Writes an identity made elsewhere; written receives each path as it is written.
    Status write(const Identity &identity, QStringList *written = nullptr) const;
};

} // namespace TlsLab::Model
