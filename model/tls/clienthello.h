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
// the bytes to the TLS stack or refuses the client. Every TLS record type is TLS (the stack answers it, with an alert
// where a TLS server owes one); only bytes that are not TLS at all are refused by TLS Lab itself.
struct FirstBytes
{
    enum class Kind {
        NeedMore, // not enough bytes to tell yet
        TlsHandshake, // a handshake record (normally a ClientHello); decided on the first two bytes
        TlsRecord, // a ChangeCipherSpec, Alert, ApplicationData or Heartbeat record before any ClientHello
        Sslv2ClientHello, // an SSL 2.0-compatible ClientHello (old clients; OpenSSL 3 accepts it)
        Http, // a plaintext HTTP request
        Plaintext, // other plaintext or binary data
    };
    Kind kind = Kind::NeedMore;
    quint8 recordType = 0; // TlsHandshake, TlsRecord
    ClientHelloInfo hello; // TlsHandshake: recordVersion; the rest when the first record held the whole hello
    bool helloComplete = false; // TlsHandshake: `hello` was parsed from a complete ClientHello
    QString problem; // TlsHandshake: what is wrong with it, when that can be seen from the first record
    QString httpMethod; // Http
    QString httpTarget; // Http (empty if the request line is not complete)
    bool printable = false; // Plaintext: mostly printable text
};

// Classifies the bytes received so far. Safe on any input (fuzzed); never reads past data. It looks at no more than
// the first record (and at most a few KB of plaintext), so its cost does not grow with a client's first flight.
FirstBytes classifyFirstBytes(const QByteArray &data);
// Parses one ClientHello handshake message (header included). Returns an empty string on success, else the problem.
QString parseClientHelloMessage(const QByteArray &message, ClientHelloInfo &hello);

QString recordTypeName(quint8 type); // 0x15 -> "Alert"
QString tlsVersionName(quint16 version); // 0x0304 -> "TLS 1.3", 0x7f1c -> "TLS 1.3 draft", unknown -> "0x...."
QString kindDescription(FirstBytes::Kind kind); // "TLS ClientHello", "plaintext HTTP request", ...

} // namespace TlsLab::Model
