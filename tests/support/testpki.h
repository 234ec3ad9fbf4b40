#pragma once

#include <QString>
#include <QStringList>

namespace TlsLab::Test {

// A certificate and its key on disk.
struct CertFiles
{
    QString certificate;
    QString key;
    QString chain; // leaf followed by its issuers (empty for a self-signed one)
};

// A throwaway PKI in a folder, made by the `openssl` command line tool (not by TLS Lab's own generator), so that the
// tests check TLS Lab against certificates it did not make. Dates are relative to now: nothing expires in the repo.
class TestPki
{
public:
    explicit TestPki(const QString &directory);

    // A CA (basicConstraints CA:TRUE).
    CertFiles makeCa(const QString &name, const QString &commonName);
    // A leaf signed by `ca`. `sans` like "DNS:localhost,IP:127.0.0.1". Dates as OpenSSL's YYYYMMDDHHMMSSZ; empty means
    // valid from an hour ago for a year. `purpose` is "server" or "client".
    CertFiles makeLeaf(const QString &name, const CertFiles &ca, const QString &commonName, const QString &sans,
        const QString &purpose = QStringLiteral("server"), const QString &startDate = {}, const QString &endDate = {});
    // A self-signed server certificate.
    CertFiles makeSelfSigned(const QString &name, const QString &commonName, const QString &sans);

    // Last error (the openssl tool's stderr) when a make* call returned empty paths.
    QString lastError() const { return m_lastError; }
    QString path(const QString &file) const;

    // OpenSSL time format for now + seconds.
    static QString opensslTime(qint64 secondsFromNow);

private:
    bool run(const QStringList &arguments);
    QString m_dir;
    QString m_lastError;
};

} // namespace TlsLab::Test
