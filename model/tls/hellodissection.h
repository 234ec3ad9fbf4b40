#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QCborMap>
#include <QLatin1StringView>
#include <QList>
#include <QString>

// decodeHandshakeMessage(), for the other handshake messages, comes with the hellos.
#include "model/tls/handshakemessage.h"

namespace TlsLab::Model {

// The full dissection of the hellos and the other handshake messages, as pure functions over bytes: no sockets,
// no TLS library. The tap feeds them what OpenSSL's message callback sees; `tlslab hello` feeds them a file; a
// fuzzer feeds them anything. Every function is safe on any input and never reads past it.

enum class DissectionStatus {
    NeedMore, // a proper prefix of a well-formed message: wait for more bytes
    Complete, // parsed; the facts are filled in
    Error, // cannot be a well-formed message; error says exactly why
};
QLatin1StringView dissectionStatusName(DissectionStatus status); // "need-more", "complete", "error"

// One extension as sent: its number, the size of its data and where the data starts in the handshake message.
struct HelloExtension
{
    quint16 type = 0;
    quint16 size = 0;
    quint32 offset = 0;

    bool isGrease() const;
    QLatin1StringView name() const; // IANA name, empty when unknown
};

struct KeyShareEntry
{
    quint16 group = 0;
    quint16 size = 0; // bytes of key_exchange (0 in a HelloRetryRequest, which names only the group)
};

// A ClientHello, field by field and extension by extension in the order sent. The decoded lists hold what the
// named extension said; an extension that was not sent leaves its list empty (hasExtension tells them apart).
struct ClientHelloDissection
{
    DissectionStatus status = DissectionStatus::NeedMore;
    QString error;

    // How it arrived (dissectClientHelloRecords only).
    quint16 recordVersion = 0; // of the first record
    int recordCount = 0; // TLS records the hello took
    bool sslv2Compatible = false; // an SSLv2-compatible hello: versions and cipher suites only
    qsizetype messageSize = 0; // the handshake message, 4-byte header included

    quint16 legacyVersion = 0;
    QByteArray random; // 32 bytes
    QByteArray sessionId;
    QList<quint16> cipherSuites; // as sent, GREASE included
    QList<quint8> compressionMethods;
    QList<HelloExtension> extensions; // as sent, GREASE included

    QString serverName; // server_name (host_name)
    QList<QByteArray> alpn; // application_layer_protocol_negotiation
    QList<quint16> supportedVersions;
    QList<quint16> supportedGroups;
    QList<quint8> ecPointFormats;
    QList<KeyShareEntry> keyShares;
    QList<quint16> signatureAlgorithms;
    QList<quint16> signatureAlgorithmsCert;
    QList<quint8> pskKeyExchangeModes;
    int pskIdentityCount = 0; // pre_shared_key
    quint8 statusRequestType = 0; // status_request: 1 = OCSP
    QList<quint16> certificateCompression; // compress_certificate algorithms
    quint8 echType = 0; // encrypted_client_hello: 0 outer, 1 inner
    quint8 echConfigId = 0;
    quint16 echPayloadSize = 0;
    QList<QByteArray> alpsProtocols; // application_settings (0x4469 or 0x44cd)
    QList<quint16> delegatedCredentialSchemes;
    quint16 recordSizeLimit = 0;

    bool hasExtension(quint16 type) const;
    const HelloExtension *extension(quint16 type) const; // nullptr when not sent
    // The highest non-GREASE version in supported_versions, legacyVersion without that extension.
    quint16 highestVersion() const;
    bool offersPostQuantum() const; // a post-quantum group in supported_groups or key_share

    // One line for a timeline: "ClientHello for example.test: TLS 1.3, 31 cipher suites, 16 extensions, ALPN h2,
    // http/1.1, post-quantum X25519MLKEM768, ECH", or what is wrong / missing.
    QString summary() const;
    QCborMap toCbor() const;
    // toCbor()'s fields written as CBOR key/value pairs without the map around them (EventDetails' encoding), the
    // same bytes QCborValue would write for them, without building the map (the tap does this for every hello).
    void appendCborFields(QByteArray &out) const;
};

// A ServerHello or, when random is the special HelloRetryRequest value, a HelloRetryRequest.
struct ServerHelloDissection
{
    DissectionStatus status = DissectionStatus::NeedMore;
    QString error;
    qsizetype messageSize = 0;

    bool helloRetryRequest = false;
    quint16 legacyVersion = 0;
    QByteArray random;
    QByteArray sessionId;
    quint16 cipherSuite = 0;
    quint8 compressionMethod = 0;
    QList<HelloExtension> extensions;

    quint16 selectedVersion = 0; // supported_versions, 0 when not sent
    quint16 keyShareGroup = 0; // key_share (the group a HelloRetryRequest asks for)
    quint16 keyShareSize = 0;
    int selectedPskIdentity = -1; // pre_shared_key: the session is being resumed
    QByteArray alpn;
    QList<quint8> ecPointFormats;
    quint16 cookieSize = 0; // HelloRetryRequest cookie
    // The TLS 1.3 downgrade sentinel in the last 8 bytes of random: 0x0303 (TLS 1.2 server), 0x0302, or 0.
    quint16 downgradeSentinel = 0;

    bool hasExtension(quint16 type) const;
    quint16 version() const; // selectedVersion when present, legacyVersion otherwise

    // "ServerHello: TLS 1.3, TLS_AES_256_GCM_SHA384, x25519, resuming" or "HelloRetryRequest: asks for secp384r1".
    QString summary() const;
    QCborMap toCbor() const;
    void appendCborFields(QByteArray &out) const; // as ClientHelloDissection's
};

// message starts at the handshake header (type 1, 3-byte length). Bytes after the message are ignored.
ClientHelloDissection dissectClientHello(QByteArrayView message);
// Wire bytes: handshake records (content type 22), reassembled over any number of records, or an SSLv2-compatible
// hello. Bytes after the hello are ignored.
ClientHelloDissection dissectClientHelloRecords(QByteArrayView tlsRecords);
// message starts at the handshake header (type 2).
ServerHelloDissection dissectServerHello(QByteArrayView message);

} // namespace TlsLab::Model
