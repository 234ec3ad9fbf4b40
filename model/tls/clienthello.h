#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace TlsLab::Model {

// What a TLS ClientHello says, as far as a person debugging a connection cares.
struct ClientHelloInfo
{
    quint16 recordVersion = 0; // of the first record (0x0301 for most clients)
    quint16 legacyVersion = 0; // client_version field (0x0303 for TLS 1.2 and 1.3)
    QString serverName; // SNI host name, empty when not sent
    QList<QByteArray> alpn; // offered application protocols
    QList<quint16> supportedVersions; // supported_versions extension (TLS 1.3 clients)
    QList<quint16> cipherSuites;
    QList<quint16> groups; // supported_groups
    int extensionCount = 0;

    // Highest version offered: supported_versions when present, legacyVersion otherwise.
    quint16 highestVersion() const;
};

// What the first bytes of a connection are. The listener reads nothing: it peeks, classifies, then either hands
// the bytes to the TLS stack or refuses the client.
struct FirstBytes
{
    enum class Kind {
        NeedMore, // not enough bytes to tell yet
        TlsClientHello, // a complete, well-formed ClientHello
        TlsMalformed, // starts like a TLS handshake record but does not parse; the TLS stack will reject it
        Http, // a plaintext HTTP request
        Plaintext, // other plaintext or binary data
    };
    Kind kind = Kind::NeedMore;
    ClientHelloInfo hello; // TlsClientHello
    QString problem; // TlsMalformed: what is wrong
    QString httpMethod; // Http
    QString httpTarget; // Http (empty if the request line is not complete)
    bool printable = false; // Plaintext: mostly printable text
};

// Classifies the bytes received so far. Safe on any input (fuzzed); never reads past data.
FirstBytes classifyFirstBytes(const QByteArray &data);

QString tlsVersionName(quint16 version); // 0x0304 -> "TLS 1.3", 0x7f1c -> "TLS 1.3 draft", unknown -> "0x...."
QString kindDescription(FirstBytes::Kind kind); // "TLS ClientHello", "plaintext HTTP request", ...

} // namespace TlsLab::Model
