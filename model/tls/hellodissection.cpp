#include "model/tls/hellodissection.h"

#include "model/core/eventcbor.h"
#include "model/tls/tlsnames.h"
#include "model/tls/tlsreader.h"

#include <QCborValue>
#include <QStringList>

#include <cstring>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {

// A real ClientHello is a few hundred bytes, a post-quantum one about 1.8 KB; the largest seen in the wild stay far
// below this. A bigger claim is an error at once instead of waiting for bytes that will never come.
constexpr quint32 MaxHelloBody = 0x20000;
constexpr qsizetype MaxPlaintextRecord = 16384; // RFC 8446 5.1: 2^14

// SHA-256("HelloRetryRequest"), RFC 8446 4.1.3.
constexpr unsigned char HelloRetryRandom[32]
    = {0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11,
        0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C};

enum Ext : quint16 {
    ServerName = 0,
    StatusRequest = 5,
    SupportedGroups = 10,
    EcPointFormats = 11,
    SignatureAlgorithms = 13,
    Alpn = 16,
    Sct = 18,
    Padding = 21,
    ExtendedMasterSecret = 23,
    CompressCertificate = 27,
    RecordSizeLimit = 28,
    DelegatedCredential = 34,
    SessionTicket = 35,
    PreSharedKey = 41,
    EarlyData = 42,
    SupportedVersions = 43,
    Cookie = 44,
    PskKeyExchangeModes = 45,
    SignatureAlgorithmsCert = 50,
    KeyShare = 51,
    AlpsOld = 0x4469,
    AlpsNew = 0x44CD,
    EncryptedClientHello = 0xFE0D,
    RenegotiationInfo = 0xFF01,
};

bool readU16List(TlsReader &r, QByteArrayView data, QList<quint16> &out, const char *what)
{
    if (data.size() % 2)
        return r.fail(u"%1 has an odd length (%2 bytes)"_s.arg(QLatin1StringView(what)).arg(data.size()));
    // Written in place after one resize: appending value by value was a sixth of the whole parse.
    const qsizetype at = out.size();
    out.resize(at + data.size() / 2);
    quint16 *values = out.data() + at;
    const auto *bytes = reinterpret_cast<const uchar *>(data.data());
    for (qsizetype i = 0; i + 1 < data.size(); i += 2)
        *values++ = quint16((bytes[i] << 8) | bytes[i + 1]);
    return true;
}

void readU8List(QByteArrayView data, QList<quint8> &out)
{
    const qsizetype at = out.size();
    out.resize(at + data.size());
    if (!data.isEmpty())
        std::memcpy(out.data() + at, data.data(), size_t(data.size()));
}

// A list of 1-byte-length-prefixed names (ALPN, ALPS).
bool readProtocolList(TlsReader &outer, QByteArrayView data, qsizetype base, QList<QByteArray> &out, const char *what)
{
    TlsReader r(data, base);
    QByteArrayView list;
    if (!r.vector16(list, what) || !r.expectEnd(what))
        return outer.fail(r.error());
    TlsReader items(list, base + 2);
    while (!items.atEnd()) {
        QByteArrayView name;
        if (!items.vector8(name, what))
            return outer.fail(items.error());
        out.append(name.toByteArray());
    }
    return true;
}

bool decodeClientExtension(
    ClientHelloDissection &h, quint16 type, QByteArrayView data, qsizetype base, TlsReader &outer)
{
    TlsReader r(data, base);
    auto failed = [&outer, &r] { return outer.fail(r.error()); };
    QByteArrayView list;
    switch (type) {
    case ServerName: {
        if (data.isEmpty())
            return true;
        if (!r.vector16(list, "server_name list") || !r.expectEnd("server_name"))
            return failed();
        TlsReader names(list, base + 2);
        while (!names.atEnd()) {
            quint8 nameType = 0;
            QByteArrayView name;
            if (!names.u8(nameType, "server_name entry") || !names.vector16(name, "server_name host name"))
                return outer.fail(names.error());
            if (nameType == 0 && h.serverName.isEmpty())
                h.serverName = QString::fromUtf8(name);
        }
        return true;
    }
    case Alpn:
        return readProtocolList(outer, data, base, h.alpn, "application_layer_protocol_negotiation list");
    case AlpsOld:
    case AlpsNew:
        return readProtocolList(outer, data, base, h.alpsProtocols, "application_settings list");
    case SupportedVersions:
        if (!r.vector8(list, "supported_versions list") || !r.expectEnd("supported_versions"))
            return failed();
        return readU16List(outer, list, h.supportedVersions, "supported_versions list");
    case SupportedGroups:
        if (!r.vector16(list, "supported_groups list") || !r.expectEnd("supported_groups"))
            return failed();
        return readU16List(outer, list, h.supportedGroups, "supported_groups list");
    case EcPointFormats:
        if (!r.vector8(list, "ec_point_formats list") || !r.expectEnd("ec_point_formats"))
            return failed();
        readU8List(list, h.ecPointFormats);
        return true;
    case SignatureAlgorithms:
        if (!r.vector16(list, "signature_algorithms list") || !r.expectEnd("signature_algorithms"))
            return failed();
        return readU16List(outer, list, h.signatureAlgorithms, "signature_algorithms list");
    case SignatureAlgorithmsCert:
        if (!r.vector16(list, "signature_algorithms_cert list") || !r.expectEnd("signature_algorithms_cert"))
            return failed();
        return readU16List(outer, list, h.signatureAlgorithmsCert, "signature_algorithms_cert list");
    case DelegatedCredential:
        if (!r.vector16(list, "delegated_credential list") || !r.expectEnd("delegated_credential"))
            return failed();
        return readU16List(outer, list, h.delegatedCredentialSchemes, "delegated_credential list");
    case CompressCertificate:
        if (!r.vector8(list, "compress_certificate list") || !r.expectEnd("compress_certificate"))
            return failed();
        return readU16List(outer, list, h.certificateCompression, "compress_certificate list");
    case PskKeyExchangeModes:
        if (!r.vector8(list, "psk_key_exchange_modes list") || !r.expectEnd("psk_key_exchange_modes"))
            return failed();
        readU8List(list, h.pskKeyExchangeModes);
        return true;
    case KeyShare: {
        qsizetype start = 0;
        if (!r.vector16(list, "key_share list", &start) || !r.expectEnd("key_share"))
            return failed();
        TlsReader shares(list, start);
        while (!shares.atEnd()) {
            KeyShareEntry entry;
            QByteArrayView key;
            if (!shares.u16(entry.group, "key_share group") || !shares.vector16(key, "key_share key_exchange"))
                return outer.fail(shares.error());
            entry.size = quint16(key.size());
            h.keyShares.append(entry);
        }
        return true;
    }
    case PreSharedKey: {
        QByteArrayView identities, binders;
        qsizetype start = 0;
        if (!r.vector16(identities, "pre_shared_key identities", &start)
            || !r.vector16(binders, "pre_shared_key binders") || !r.expectEnd("pre_shared_key"))
            return failed();
        TlsReader ids(identities, start);
        while (!ids.atEnd()) {
            QByteArrayView identity;
            quint32 age = 0;
            if (!ids.vector16(identity, "pre_shared_key identity") || !ids.u32(age, "pre_shared_key ticket age"))
                return outer.fail(ids.error());
            ++h.pskIdentityCount;
        }
        return true;
    }
    case StatusRequest:
        if (data.isEmpty())
            return true;
        return r.u8(h.statusRequestType, "status_request type") || failed();
    case EncryptedClientHello: {
        if (!r.u8(h.echType, "encrypted_client_hello type"))
            return failed();
        if (h.echType != 0) // inner: nothing else
            return true;
        quint16 kdf = 0, aead = 0;
        QByteArrayView enc, payload;
        if (!r.u16(kdf, "encrypted_client_hello kdf_id") || !r.u16(aead, "encrypted_client_hello aead_id")
            || !r.u8(h.echConfigId, "encrypted_client_hello config_id")
            || !r.vector16(enc, "encrypted_client_hello enc") || !r.vector16(payload, "encrypted_client_hello payload")
            || !r.expectEnd("encrypted_client_hello"))
            return failed();
        h.echPayloadSize = quint16(payload.size());
        return true;
    }
    case RecordSizeLimit:
        return (r.u16(h.recordSizeLimit, "record_size_limit") && r.expectEnd("record_size_limit")) || failed();
    case RenegotiationInfo:
        return (r.vector8(list, "renegotiation_info") && r.expectEnd("renegotiation_info")) || failed();
    default:
        return true; // kept by number, name and size
    }
}

// Extensions: type, data; duplicates are an error (RFC 8446 4.2), as every TLS stack treats them.
bool readExtensions(TlsReader &r, QList<HelloExtension> &out, const char *what)
{
    QByteArrayView all;
    qsizetype start = 0;
    if (!r.vector16(all, what, &start))
        return false;
    TlsReader e(all, start);
    out.reserve(24);
    while (!e.atEnd()) {
        HelloExtension x;
        QByteArrayView data;
        if (!e.u16(x.type, "extension type"))
            return r.fail(e.error());
        qsizetype dataStart = 0;
        quint16 claimed = 0;
        if (e.remaining() >= 2) {
            const qsizetype at = e.offset();
            if (!e.u16(claimed, "extension length"))
                return r.fail(e.error());
            if (claimed > e.remaining())
                return r.fail(u"extension %1 claims %2 bytes, %3 remain (at byte %4)"_s.arg(
                    hex16(x.type), QString::number(claimed), QString::number(e.remaining()), QString::number(at)));
            dataStart = e.offset();
            e.bytes(claimed, data, "extension data");
        } else {
            return r.fail(u"extension %1 is cut short: its length is missing (at byte %2)"_s.arg(
                hex16(x.type), QString::number(e.offset())));
        }
        for (const HelloExtension &seen : std::as_const(out)) {
            if (seen.type == x.type)
                return r.fail(u"extension %1 (%2) is sent twice"_s.arg(hex16(x.type), extensionLabel(x.type)));
        }
        x.size = claimed;
        x.offset = quint32(dataStart);
        out.append(x);
    }
    return true;
}

// Reads the handshake header; returns the body length or sets status (NeedMore / Error).
template<typename D>
bool readHeader(QByteArrayView message, quint8 expectedType, const char *name, D &d, quint32 &length)
{
    if (message.isEmpty()) {
        d.status = DissectionStatus::NeedMore;
        return false;
    }
    const quint8 type = quint8(message[0]);
    if (type != expectedType) {
        const QLatin1StringView typeName = handshakeTypeName(type);
        d.status = DissectionStatus::Error;
        d.error = u"not a %1: handshake message type %2 (%3)"_s.arg(
            QLatin1StringView(name), QString::number(type), typeName.isEmpty() ? u"unknown"_s : QString(typeName));
        return false;
    }
    if (message.size() < 4) {
        d.status = DissectionStatus::NeedMore;
        return false;
    }
    length = (quint32(quint8(message[1])) << 16) | (quint32(quint8(message[2])) << 8) | quint8(message[3]);
    if (length > MaxHelloBody) {
        d.status = DissectionStatus::Error;
        d.error = u"the %1 claims %2 bytes, more than any real one (at most %3)"_s.arg(
            QLatin1StringView(name), QString::number(length), QString::number(MaxHelloBody));
        return false;
    }
    if (quint32(message.size() - 4) < length) {
        d.status = DissectionStatus::NeedMore;
        d.messageSize = 4 + length;
        return false;
    }
    d.messageSize = 4 + length;
    return true;
}

ClientHelloDissection setError(ClientHelloDissection &h, const QString &error)
{
    h.status = DissectionStatus::Error;
    h.error = error;
    return h;
}

ClientHelloDissection dissectSslv2(QByteArrayView data)
{
    // SSLv2-compatible CLIENT-HELLO (RFC 5246 appendix E.2): 2-byte length with the top bit set, type 1, version,
    // then three lengths and the cipher specs (3 bytes each), session id and challenge.
    ClientHelloDissection h;
    h.sslv2Compatible = true;
    h.recordVersion = 0x0002;
    if (data.size() < 2)
        return h;
    const qsizetype length = ((quint8(data[0]) & 0x7f) << 8) | quint8(data[1]);
    if (data.size() >= 3 && quint8(data[2]) != 1) {
        setError(h, u"not a ClientHello: an SSLv2 record of message type %1"_s.arg(int(quint8(data[2]))));
        return h;
    }
    if (length < 1)
        return setError(h, u"the SSLv2 record is empty"_s);
    if (data.size() < 2 + length)
        return h;
    h.messageSize = 2 + length;
    h.recordCount = 1;
    TlsReader r(data.sliced(3, length - 1), 3);
    quint16 cipherLength = 0, sessionLength = 0, challengeLength = 0;
    QByteArrayView specs, session, challenge;
    if (!r.u16(h.legacyVersion, "SSLv2 version") || !r.u16(cipherLength, "SSLv2 cipher_spec_length")
        || !r.u16(sessionLength, "SSLv2 session_id_length") || !r.u16(challengeLength, "SSLv2 challenge_length")
        || !r.bytes(cipherLength, specs, "SSLv2 cipher specs") || !r.bytes(sessionLength, session, "SSLv2 session id")
        || !r.bytes(challengeLength, challenge, "SSLv2 challenge") || !r.expectEnd("SSLv2 ClientHello")) {
        setError(h, r.error());
        return h;
    }
    if (cipherLength % 3) {
        setError(h, u"SSLv2 cipher specs are %1 bytes, not a multiple of 3"_s.arg(cipherLength));
        return h;
    }
    for (qsizetype i = 0; i + 2 < specs.size(); i += 3) {
        if (specs[i] == 0) // the TLS cipher suites; the rest are SSLv2-only kinds
            h.cipherSuites.append(quint16((quint8(specs[i + 1]) << 8) | quint8(specs[i + 2])));
    }
    h.sessionId = session.toByteArray();
    h.random = challenge.toByteArray();
    h.status = DissectionStatus::Complete;
    return h;
}

// The writers of the hellos' appendCborFields.
void appendHex16(QByteArray &out, quint16 value)
{
    static constexpr char Hex[] = "0123456789abcdef";
    const char text[7] = {
        char(0x60 | 6), '0', 'x', Hex[value >> 12], Hex[(value >> 8) & 0xf], Hex[(value >> 4) & 0xf], Hex[value & 0xf]};
    out.append(text, 7);
}

void appendHexBytes(QByteArray &out, const QByteArray &bytes)
{
    static constexpr char Hex[] = "0123456789abcdef";
    EventCbor::appendHead(out, EventCbor::Text, quint64(2 * bytes.size()));
    const qsizetype at = out.size();
    out.resize(at + 2 * bytes.size());
    char *o = out.data() + at;
    for (char c : bytes) {
        *o++ = Hex[(quint8(c) >> 4) & 0xf];
        *o++ = Hex[quint8(c) & 0xf];
    }
}

// A name from a table, or the label made for a value without one ("GREASE (0x0a0a)", "unknown (0x1234)").
void appendLabel(QByteArray &out, QLatin1StringView name, quint16 value, QString (*label)(quint16))
{
    if (!name.isEmpty())
        EventCbor::appendText(out, name);
    else
        EventCbor::appendText(out, QStringView(label(value)));
}

template<typename List>
void appendIntegers(QByteArray &out, const List &values)
{
    EventCbor::appendHead(out, EventCbor::Array, quint64(values.size()));
    for (auto v : values)
        EventCbor::appendInteger(out, v);
}

void appendByteStrings(QByteArray &out, const QList<QByteArray> &list)
{
    EventCbor::appendHead(out, EventCbor::Array, quint64(list.size()));
    for (const QByteArray &p : list)
        EventCbor::appendText(out, QLatin1StringView(p));
}

// u16Names' values: the name, "GREASE (0x0a0a)", or the number.
void appendU16Names(QByteArray &out, const QList<quint16> &values, QLatin1StringView (*name)(quint16))
{
    EventCbor::appendHead(out, EventCbor::Array, quint64(values.size()));
    for (quint16 v : values) {
        const QLatin1StringView n = name(v);
        if (!n.isEmpty())
            EventCbor::appendText(out, n);
        else if (isGrease(v))
            EventCbor::appendText(out, QStringView(u"GREASE (%1)"_s.arg(hex16(v))));
        else
            appendHex16(out, v);
    }
}

// A group as a map (value, name, flags) with a key share's size.
void appendGroup(QByteArray &out, quint16 g, quint16 size, bool withSize = true)
{
    const bool grease = isGrease(g);
    const bool postQuantum = isPostQuantumGroup(g);
    const bool hybrid = isHybridGroup(g);
    EventCbor::appendHead(
        out, EventCbor::Map, quint64(2 + int(withSize) + int(grease) + int(postQuantum) + int(hybrid)));
    EventCbor::appendText(out, "value"_L1);
    appendHex16(out, g);
    EventCbor::appendText(out, "name"_L1);
    appendLabel(out, namedGroupName(g), g, namedGroupLabel);
    if (grease) {
        EventCbor::appendText(out, "grease"_L1);
        EventCbor::appendBool(out, true);
    }
    if (postQuantum) {
        EventCbor::appendText(out, "post_quantum"_L1);
        EventCbor::appendBool(out, true);
    }
    if (hybrid) {
        EventCbor::appendText(out, "hybrid"_L1);
        EventCbor::appendBool(out, true);
    }
    if (withSize) {
        EventCbor::appendText(out, "size"_L1);
        EventCbor::appendInteger(out, size);
    }
}

} // namespace

QLatin1StringView dissectionStatusName(DissectionStatus status)
{
    switch (status) {
    case DissectionStatus::NeedMore:
        return "need-more"_L1;
    case DissectionStatus::Complete:
        return "complete"_L1;
    case DissectionStatus::Error:
        return "error"_L1;
    }
    return "error"_L1;
}

bool HelloExtension::isGrease() const
{
    return Model::isGrease(type);
}

QLatin1StringView HelloExtension::name() const
{
    return extensionName(type);
}

bool ClientHelloDissection::hasExtension(quint16 type) const
{
    return extension(type) != nullptr;
}

const HelloExtension *ClientHelloDissection::extension(quint16 type) const
{
    for (const HelloExtension &x : extensions) {
        if (x.type == type)
            return &x;
    }
    return nullptr;
}

quint16 ClientHelloDissection::highestVersion() const
{
    if (!hasExtension(SupportedVersions))
        return legacyVersion;
    quint16 best = 0;
    for (quint16 v : supportedVersions) {
        if (!isGrease(v) && v > best)
            best = v;
    }
    return best;
}

bool ClientHelloDissection::offersPostQuantum() const
{
    for (quint16 g : supportedGroups) {
        if (isPostQuantumGroup(g))
            return true;
    }
    for (const KeyShareEntry &k : keyShares) {
        if (isPostQuantumGroup(k.group))
            return true;
    }
    return false;
}

ClientHelloDissection dissectClientHello(QByteArrayView message)
{
    ClientHelloDissection h;
    quint32 length = 0;
    if (!readHeader(message, 1, "ClientHello", h, length))
        return h;
    TlsReader r(message.sliced(4, length), 4);
    QByteArrayView random, session, suites, compression;
    if (!r.u16(h.legacyVersion, "legacy_version") || !r.bytes(32, random, "random")
        || !r.vector8(session, "legacy_session_id") || !r.vector16(suites, "cipher_suites")
        || !r.vector8(compression, "legacy_compression_methods")) {
        setError(h, r.error());
        return h;
    }
    if (session.size() > 32)
        return setError(h, u"legacy_session_id is %1 bytes; at most 32 are allowed"_s.arg(session.size()));
    if (suites.isEmpty() || suites.size() % 2)
        return setError(h, u"cipher_suites is %1 bytes; a non-empty even length is required"_s.arg(suites.size()));
    if (compression.isEmpty())
        return setError(h, u"legacy_compression_methods is empty; at least null (0) is required"_s);
    h.random = random.toByteArray();
    h.sessionId = session.toByteArray();
    readU16List(r, suites, h.cipherSuites, "cipher_suites");
    readU8List(compression, h.compressionMethods);
    // Extensions may be absent altogether (TLS 1.2 and older), not half there.
    if (!r.atEnd() && (!readExtensions(r, h.extensions, "extensions") || !r.expectEnd("ClientHello"))) {
        setError(h, r.error());
        return h;
    }
    for (const HelloExtension &x : std::as_const(h.extensions)) {
        if (!decodeClientExtension(h, x.type, message.sliced(x.offset, x.size), x.offset, r)) {
            setError(h, r.error());
            return h;
        }
    }
    h.status = DissectionStatus::Complete;
    return h;
}

ClientHelloDissection dissectClientHelloRecords(QByteArrayView data)
{
    if (!data.isEmpty() && (quint8(data[0]) & 0x80))
        return dissectSslv2(data);

    ClientHelloDissection h;
    QByteArray message; // only when the hello spans records; one record is dissected in place
    qsizetype pos = 0;
    int records = 0;
    quint16 firstVersion = 0;
    quint32 needed = 0; // the message size once its header is known
    while (pos < data.size()) {
        const qsizetype available = data.size() - pos;
        const quint8 contentType = quint8(data[pos]);
        if (contentType != 22) {
            setError(h,
                records == 0 ? u"not a TLS handshake record: content type %1 (the first byte of a ClientHello record "
                               "is 22)"_s.arg(int(contentType))
                             : u"record %1 has content type %2 before the ClientHello is complete (at byte %3)"_s.arg(
                                 QString::number(records + 1), QString::number(contentType), QString::number(pos)));
            return h;
        }
        if (available >= 2 && quint8(data[pos + 1]) != 3) {
            setError(h,
                u"record %1 has version major %2, not 3 (TLS) (at byte %3)"_s.arg(
                    QString::number(records + 1), QString::number(quint8(data[pos + 1])), QString::number(pos)));
            return h;
        }
        if (available < 5)
            break;
        const quint16 version = quint16((quint8(data[pos + 1]) << 8) | quint8(data[pos + 2]));
        const qsizetype length = (quint8(data[pos + 3]) << 8) | quint8(data[pos + 4]);
        if (length > MaxPlaintextRecord) {
            setError(h,
                u"record %1 claims %2 bytes, more than the %3 a TLS record may carry (at byte %4)"_s.arg(
                    QString::number(records + 1), QString::number(length), QString::number(MaxPlaintextRecord),
                    QString::number(pos)));
            return h;
        }
        if (length == 0) {
            setError(h,
                u"record %1 is an empty handshake record, which TLS forbids (at byte %2)"_s.arg(
                    QString::number(records + 1), QString::number(pos)));
            return h;
        }
        if (records == 0)
            firstVersion = version;
        const qsizetype inRecord = qMin<qsizetype>(length, available - 5);
        const QByteArrayView fragment = data.sliced(pos + 5, inRecord);
        if (records == 0 && inRecord == length && length >= 4) {
            const quint32 bodyLength
                = (quint32(quint8(fragment[1])) << 16) | (quint32(quint8(fragment[2])) << 8) | quint8(fragment[3]);
            if (quint8(fragment[0]) == 1 && bodyLength + 4 <= quint32(length)) {
                // The usual case: the whole hello in the first record.
                h = dissectClientHello(fragment);
                h.recordVersion = firstVersion;
                h.recordCount = 1;
                return h;
            }
        }
        message.append(fragment);
        ++records;
        if (message.size() >= 4 && needed == 0) {
            ClientHelloDissection header = dissectClientHello(QByteArrayView(message).first(4));
            if (header.status == DissectionStatus::Error) {
                header.recordVersion = firstVersion;
                header.recordCount = records;
                return header;
            }
            needed = quint32(header.messageSize);
        } else if (!message.isEmpty() && quint8(message[0]) != 1) {
            h = dissectClientHello(message);
            break;
        }
        if (needed && quint32(message.size()) >= needed) {
            h = dissectClientHello(message);
            h.recordVersion = firstVersion;
            h.recordCount = records;
            return h;
        }
        if (inRecord < length)
            break;
        pos += 5 + length;
    }
    h.recordVersion = firstVersion;
    h.recordCount = records;
    if (h.status == DissectionStatus::NeedMore && needed)
        h.messageSize = needed;
    return h;
}

QString ClientHelloDissection::summary() const
{
    if (status == DissectionStatus::Error)
        return u"Malformed ClientHello: "_s + error;
    if (status == DissectionStatus::NeedMore)
        return u"Incomplete ClientHello"_s;
    QStringList parts {versionLabel(highestVersion()), u"%1 cipher suites"_s.arg(cipherSuites.size()),
        u"%1 extensions"_s.arg(extensions.size())};
    if (!alpn.isEmpty()) {
        QStringList protocols;
        for (const QByteArray &p : alpn)
            protocols.append(QString::fromLatin1(p));
        parts.append(u"ALPN "_s + protocols.join(u','));
    }
    QStringList postQuantum;
    for (quint16 g : supportedGroups) {
        if (isPostQuantumGroup(g))
            postQuantum.append(namedGroupLabel(g));
    }
    if (!postQuantum.isEmpty())
        parts.append(u"post-quantum "_s + postQuantum.join(u','));
    if (hasExtension(EncryptedClientHello))
        parts.append(u"ECH"_s);
    if (sslv2Compatible)
        parts.append(u"SSLv2-compatible"_s);
    const QString name = serverName.isEmpty() ? u"ClientHello (no SNI)"_s : u"ClientHello for "_s + serverName;
    return name + u": "_s + parts.join(u", "_s);
}

namespace {

// One writer for both forms: the map is decoded from the fields the tap records.
template<typename Dissection>
QCborMap cborMapOf(const Dissection &dissection)
{
    QByteArray map;
    map.append(char(0xbf)); // a map of indefinite length around the fields
    dissection.appendCborFields(map);
    map.append(char(0xff));
    return QCborValue::fromCbor(map).toMap();
}

void appendStatusFields(QByteArray &out, DissectionStatus status, const QString &error)
{
    EventCbor::appendText(out, "status"_L1);
    EventCbor::appendText(out, dissectionStatusName(status));
    if (status == DissectionStatus::Error) {
        EventCbor::appendText(out, "error"_L1);
        EventCbor::appendText(out, QStringView(error));
    }
}

} // namespace

QCborMap ClientHelloDissection::toCbor() const
{
    return cborMapOf(*this);
}

void ClientHelloDissection::appendCborFields(QByteArray &out) const
{
    using namespace EventCbor;
    const auto key = [&out](QLatin1StringView name) { appendText(out, name); };
    appendStatusFields(out, status, error);
    if (recordCount) {
        key("record_version"_L1);
        appendHex16(out, recordVersion);
        key("records"_L1);
        appendInteger(out, recordCount);
    }
    if (sslv2Compatible) {
        key("sslv2_compatible"_L1);
        appendBool(out, true);
    }
    if (messageSize) {
        key("size"_L1);
        appendInteger(out, messageSize);
    }
    if (status != DissectionStatus::Complete)
        return;
    key("legacy_version"_L1);
    appendHex16(out, legacyVersion);
    key("highest_version"_L1);
    appendText(out, QStringView(versionLabel(highestVersion())));
    key("random"_L1);
    appendHexBytes(out, random);
    key("session_id"_L1);
    appendHexBytes(out, sessionId);
    // Names ("GREASE (0x0a0a)", "unknown (0x1234)" where there is none) and the numbers alongside: two flat arrays
    // cost a small fraction of a map per suite, and this runs for every hello the tap sees.
    key("cipher_suites"_L1);
    appendHead(out, Array, quint64(cipherSuites.size()));
    for (quint16 s : cipherSuites)
        appendLabel(out, cipherSuiteName(s), s, cipherSuiteLabel);
    key("cipher_suite_values"_L1);
    appendHead(out, Array, quint64(cipherSuites.size()));
    for (quint16 s : cipherSuites)
        appendInteger(out, s);
    key("compression_methods"_L1);
    appendIntegers(out, compressionMethods);
    if (!serverName.isEmpty()) {
        key("server_name"_L1);
        appendText(out, QStringView(serverName));
    }
    if (!alpn.isEmpty()) {
        key("alpn"_L1);
        appendByteStrings(out, alpn);
    }
    if (offersPostQuantum()) {
        key("post_quantum"_L1);
        appendBool(out, true);
    }
    if (hasExtension(EncryptedClientHello)) {
        key("ech_offered"_L1);
        appendBool(out, true);
    }

    key("extensions"_L1);
    appendHead(out, Array, quint64(extensions.size()));
    for (const HelloExtension &x : extensions) {
        const qsizetype at = beginContainer(out);
        quint64 fields = 3;
        key("type"_L1);
        appendHex16(out, x.type);
        key("name"_L1);
        appendLabel(out, extensionName(x.type), x.type, extensionLabel);
        key("size"_L1);
        appendInteger(out, x.size);
        if (x.isGrease()) {
            key("grease"_L1);
            appendBool(out, true);
            ++fields;
        }
        const auto field = [&](QLatin1StringView name) {
            key(name);
            ++fields;
        };
        switch (x.type) {
        case ServerName:
            field("server_name"_L1);
            appendText(out, QStringView(serverName));
            break;
        case Alpn:
            field("protocols"_L1);
            appendByteStrings(out, alpn);
            break;
        case AlpsOld:
        case AlpsNew:
            field("protocols"_L1);
            appendByteStrings(out, alpsProtocols);
            break;
        case SupportedVersions:
            field("versions"_L1);
            appendHead(out, Array, quint64(supportedVersions.size()));
            for (quint16 v : supportedVersions)
                appendText(out, QStringView(versionLabel(v)));
            break;
        case SupportedGroups: {
            // Names in a flat array (a map per group cost a fifth of the whole conversion), the post-quantum ones
            // named again on their own.
            field("groups"_L1);
            appendHead(out, Array, quint64(supportedGroups.size()));
            qsizetype postQuantum = 0;
            for (quint16 g : supportedGroups) {
                appendLabel(out, namedGroupName(g), g, namedGroupLabel);
                postQuantum += isPostQuantumGroup(g) ? 1 : 0;
            }
            if (postQuantum) {
                field("post_quantum_groups"_L1);
                appendHead(out, Array, quint64(postQuantum));
                for (quint16 g : supportedGroups) {
                    if (isPostQuantumGroup(g))
                        appendLabel(out, namedGroupName(g), g, namedGroupLabel);
                }
            }
            break;
        }
        case EcPointFormats:
            field("formats"_L1);
            appendIntegers(out, ecPointFormats);
            break;
        case KeyShare:
            field("shares"_L1);
            appendHead(out, Array, quint64(keyShares.size()));
            for (const KeyShareEntry &k : keyShares)
                appendGroup(out, k.group, k.size);
            break;
        case SignatureAlgorithms:
            field("schemes"_L1);
            appendU16Names(out, signatureAlgorithms, signatureSchemeName);
            break;
        case SignatureAlgorithmsCert:
            field("schemes"_L1);
            appendU16Names(out, signatureAlgorithmsCert, signatureSchemeName);
            break;
        case DelegatedCredential:
            field("schemes"_L1);
            appendU16Names(out, delegatedCredentialSchemes, signatureSchemeName);
            break;
        case CompressCertificate:
            field("algorithms"_L1);
            appendU16Names(out, certificateCompression, certificateCompressionName);
            break;
        case PskKeyExchangeModes:
            field("modes"_L1);
            appendHead(out, Array, quint64(pskKeyExchangeModes.size()));
            for (quint8 mode : pskKeyExchangeModes) {
                const QLatin1StringView n = pskKeyExchangeModeName(mode);
                if (n.isEmpty())
                    appendText(out, QStringView(QString::number(mode)));
                else
                    appendText(out, n);
            }
            break;
        case PreSharedKey:
            field("identities"_L1);
            appendInteger(out, pskIdentityCount);
            break;
        case StatusRequest:
            if (statusRequestType) {
                field("status_type"_L1);
                if (statusRequestType == 1)
                    appendText(out, "ocsp"_L1);
                else
                    appendText(out, QStringView(QString::number(statusRequestType)));
            }
            break;
        case EncryptedClientHello:
            field("ech_type"_L1);
            if (echType == 0)
                appendText(out, "outer"_L1);
            else if (echType == 1)
                appendText(out, "inner"_L1);
            else
                appendText(out, QStringView(QString::number(echType)));
            if (echType == 0) {
                field("config_id"_L1);
                appendInteger(out, echConfigId);
                field("payload_size"_L1);
                appendInteger(out, echPayloadSize);
            }
            field("note"_L1);
            appendText(out, u"ECH offered — real or GREASE cannot be told apart from outside");
            break;
        case RecordSizeLimit:
            field("limit"_L1);
            appendInteger(out, recordSizeLimit);
            break;
        case RenegotiationInfo:
            // The renegotiated_connection inside: empty on a first handshake.
            field("renegotiated_connection_size"_L1);
            appendInteger(out, qMax(0, int(x.size) - 1));
            break;
        default:
            break; // early_data, signed_certificate_timestamp, extended_master_secret, padding, session_ticket...:
                   // their size says it all
        }
        endContainer(out, at, Map, fields);
    }
}

ServerHelloDissection dissectServerHello(QByteArrayView message)
{
    ServerHelloDissection s;
    quint32 length = 0;
    if (!readHeader(message, 2, "ServerHello", s, length))
        return s;
    auto fail = [&s](const QString &error) {
        s.status = DissectionStatus::Error;
        s.error = error;
        return s;
    };
    TlsReader r(message.sliced(4, length), 4);
    QByteArrayView random, session;
    if (!r.u16(s.legacyVersion, "legacy_version") || !r.bytes(32, random, "random")
        || !r.vector8(session, "legacy_session_id_echo") || !r.u16(s.cipherSuite, "cipher_suite")
        || !r.u8(s.compressionMethod, "legacy_compression_method"))
        return fail(r.error());
    if (session.size() > 32)
        return fail(u"legacy_session_id_echo is %1 bytes; at most 32 are allowed"_s.arg(session.size()));
    s.random = random.toByteArray();
    s.sessionId = session.toByteArray();
    s.helloRetryRequest = std::memcmp(random.data(), HelloRetryRandom, 32) == 0;
    if (std::memcmp(random.data() + 24, "DOWNGRD", 7) == 0 && (random[31] == 0 || random[31] == 1))
        s.downgradeSentinel = random[31] == 1 ? 0x0303 : 0x0302;
    if (!r.atEnd() && (!readExtensions(r, s.extensions, "extensions") || !r.expectEnd("ServerHello")))
        return fail(r.error());
    for (const HelloExtension &x : std::as_const(s.extensions)) {
        TlsReader e(message.sliced(x.offset, x.size), x.offset);
        QByteArrayView v;
        bool ok = true;
        switch (x.type) {
        case SupportedVersions:
            ok = e.u16(s.selectedVersion, "supported_versions") && e.expectEnd("supported_versions");
            break;
        case KeyShare:
            ok = e.u16(s.keyShareGroup, "key_share group");
            if (ok && !s.helloRetryRequest) {
                ok = e.vector16(v, "key_share key_exchange");
                s.keyShareSize = quint16(v.size());
            }
            ok = ok && e.expectEnd("key_share");
            break;
        case PreSharedKey: {
            quint16 identity = 0;
            ok = e.u16(identity, "pre_shared_key selected_identity") && e.expectEnd("pre_shared_key");
            s.selectedPskIdentity = identity;
            break;
        }
        case Alpn: {
            QByteArrayView list, name;
            ok = e.vector16(list, "application_layer_protocol_negotiation list")
                && e.expectEnd("application_layer_protocol_negotiation");
            if (ok) {
                TlsReader names(list, x.offset + 2);
                ok = names.vector8(name, "application_layer_protocol_negotiation protocol")
                    && names.expectEnd("application_layer_protocol_negotiation list");
                if (!ok)
                    e.fail(names.error());
                s.alpn = name.toByteArray();
            }
            break;
        }
        case EcPointFormats:
            ok = e.vector8(v, "ec_point_formats list") && e.expectEnd("ec_point_formats");
            readU8List(v, s.ecPointFormats);
            break;
        case Cookie:
            ok = e.vector16(v, "cookie") && e.expectEnd("cookie");
            s.cookieSize = quint16(v.size());
            break;
        default:
            break;
        }
        if (!ok)
            return fail(e.error());
    }
    s.status = DissectionStatus::Complete;
    return s;
}

bool ServerHelloDissection::hasExtension(quint16 type) const
{
    for (const HelloExtension &x : extensions) {
        if (x.type == type)
            return true;
    }
    return false;
}

quint16 ServerHelloDissection::version() const
{
    return selectedVersion ? selectedVersion : legacyVersion;
}

QString ServerHelloDissection::summary() const
{
    if (status == DissectionStatus::Error)
        return u"Malformed ServerHello: "_s + error;
    if (status == DissectionStatus::NeedMore)
        return u"Incomplete ServerHello"_s;
    if (helloRetryRequest)
        return u"HelloRetryRequest: asks for "_s + namedGroupLabel(keyShareGroup);
    QStringList parts {versionLabel(version()), cipherSuiteLabel(cipherSuite)};
    if (keyShareGroup)
        parts.append(namedGroupLabel(keyShareGroup));
    if (selectedPskIdentity >= 0)
        parts.append(u"resuming"_s);
    if (!alpn.isEmpty())
        parts.append(u"ALPN "_s + QString::fromLatin1(alpn));
    return u"ServerHello: "_s + parts.join(u", "_s);
}

QCborMap ServerHelloDissection::toCbor() const
{
    return cborMapOf(*this);
}

void ServerHelloDissection::appendCborFields(QByteArray &out) const
{
    using namespace EventCbor;
    const auto key = [&out](QLatin1StringView name) { appendText(out, name); };
    appendStatusFields(out, status, error);
    if (messageSize) {
        key("size"_L1);
        appendInteger(out, messageSize);
    }
    if (status != DissectionStatus::Complete)
        return;
    if (helloRetryRequest) {
        key("hello_retry_request"_L1);
        appendBool(out, true);
    }
    key("legacy_version"_L1);
    appendHex16(out, legacyVersion);
    key("version"_L1);
    appendText(out, QStringView(versionLabel(version())));
    key("random"_L1);
    appendHexBytes(out, random);
    key("session_id"_L1);
    appendHexBytes(out, sessionId);
    key("cipher_suite"_L1);
    appendLabel(out, cipherSuiteName(cipherSuite), cipherSuite, cipherSuiteLabel);
    key("cipher_suite_value"_L1);
    appendHex16(out, cipherSuite);
    key("compression_method"_L1);
    appendInteger(out, compressionMethod);
    if (hasExtension(KeyShare)) {
        key("key_share"_L1);
        appendGroup(out, keyShareGroup, keyShareSize, !helloRetryRequest);
    }
    if (selectedPskIdentity >= 0) {
        key("selected_psk_identity"_L1);
        appendInteger(out, selectedPskIdentity);
    }
    if (!alpn.isEmpty()) {
        key("alpn"_L1);
        appendText(out, QLatin1StringView(alpn));
    }
    if (cookieSize) {
        key("cookie_size"_L1);
        appendInteger(out, cookieSize);
    }
    if (downgradeSentinel) {
        key("downgrade_sentinel"_L1);
        appendText(out, QStringView(versionLabel(downgradeSentinel)));
    }
    key("extensions"_L1);
    appendHead(out, Array, quint64(extensions.size()));
    for (const HelloExtension &x : extensions) {
        appendHead(out, Map, x.isGrease() ? 4 : 3);
        key("type"_L1);
        appendHex16(out, x.type);
        key("name"_L1);
        appendLabel(out, extensionName(x.type), x.type, extensionLabel);
        key("size"_L1);
        appendInteger(out, x.size);
        if (x.isGrease()) {
            key("grease"_L1);
            appendBool(out, true);
        }
    }
}

} // namespace TlsLab::Model
