#pragma once

#include <QByteArrayView>
#include <QCborMap>
#include <QList>
#include <QString>

namespace TlsLab::Model {

struct ClientHelloDissection;
struct ServerHelloDissection;

// TLS client and server fingerprints, computed as their specifications say:
// - JA3 (salesforce/ja3): "version,ciphers,extensions,groups,point formats" in decimal, GREASE left out, and its MD5;
//   JA3N the same with the extensions sorted, so that clients that shuffle their extensions (Chrome) stay stable.
// - JA4 and JA4_r (FoxIO technical_details/JA4.md): "t" (TCP), the version from supported_versions, d/i for SNI,
//   cipher and extension counts, the first ALPN's first and last characters, then truncated SHA-256 hashes of the
//   sorted ciphers and of the sorted extensions (without SNI and ALPN) with the signature algorithms in sent order.
// - JA3S: "version,cipher,extensions" of the ServerHello and its MD5.
// Empty strings when the hello is not Complete.
struct ClientFingerprints
{
    QString ja3;
    QString ja3Md5;
    QString ja3n;
    QString ja3nMd5;
    QString ja4;
    QString ja4r;

    QCborMap toCbor() const; // ja3, ja3_md5, ja3n, ja3n_md5, ja4, ja4_r
};

struct ServerFingerprints
{
    QString ja3s;
    QString ja3sMd5;

    QCborMap toCbor() const; // ja3s, ja3s_md5
};

ClientFingerprints clientFingerprints(const ClientHelloDissection &hello);
ServerFingerprints serverFingerprints(const ServerHelloDissection &hello);

// The JA4 pieces, public for tests against the specification's own examples.
namespace Ja4 {
QString versionCode(quint16 version); // 0x0304 -> "13", unknown -> "00"
QString alpnCode(QByteArrayView firstProtocol); // "h2", "h1" for http/1.1, hex rule for non-alphanumerics, "00"
QString cipherHash(const QList<quint16> &ciphers); // sorted, GREASE left out; "000000000000" for none
// extensions: all sent (GREASE, SNI and ALPN are left out here); signatureAlgorithms in sent order.
QString extensionHash(const QList<quint16> &extensions, const QList<quint16> &signatureAlgorithms);
} // namespace Ja4

QString md5Hex(QByteArrayView text);

} // namespace TlsLab::Model
