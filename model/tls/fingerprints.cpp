#include "model/tls/fingerprints.h"

#include "model/tls/hellodissection.h"
#include "model/tls/tlsnames.h"

#include <QVarLengthArray>

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {

// The strings are written by pointer into one buffer sized for the worst case up front: this runs for every
// connection, the parse-plus-fingerprint budget is 2 µs, and appending character by character through a container's
// checks cost more than the four digests.
using Text = QVarLengthArray<char, 1024>;
using Values = QVarLengthArray<quint16, 64>;

constexpr char HexDigits[] = "0123456789abcdef";

// "00" to "99": two digits per division.
constexpr auto DigitPairs = [] {
    std::array<char, 200> pairs {};
    for (int i = 0; i < 100; ++i) {
        pairs[size_t(2 * i)] = char('0' + i / 10);
        pairs[size_t(2 * i + 1)] = char('0' + i % 10);
    }
    return pairs;
}();

// Every value written in decimal is a 16-bit or 8-bit field: at most 5 digits.
char *putDecimal(char *out, quint16 value)
{
    // Digits counted first, then written from the last ones back, two at a time: no temporary, no reversal.
    const int n = value < 10 ? 1 : value < 100 ? 2 : value < 1000 ? 3 : value < 10000 ? 4 : 5;
    uint rest = value;
    char *p = out + n;
    while (rest >= 100) {
        const uint pair = 2 * (rest % 100);
        rest /= 100;
        *--p = DigitPairs[pair + 1];
        *--p = DigitPairs[pair];
    }
    if (rest >= 10) {
        *--p = DigitPairs[2 * rest + 1];
        *--p = DigitPairs[2 * rest];
    } else {
        *--p = char('0' + rest);
    }
    return out + n;
}

char *putHex4(char *out, quint16 value)
{
    out[0] = HexDigits[(value >> 12) & 0xf];
    out[1] = HexDigits[(value >> 8) & 0xf];
    out[2] = HexDigits[(value >> 4) & 0xf];
    out[3] = HexDigits[value & 0xf];
    return out + 4;
}

// Values in decimal joined by '-' (at most 6 characters each).
template<typename List>
char *putDecimals(char *out, const List &values)
{
    bool first = true;
    for (auto v : values) {
        if (!first)
            *out++ = '-';
        out = putDecimal(out, quint16(v));
        first = false;
    }
    return out;
}

// Values as 4 hex digits joined by ',' (5 characters each).
template<typename List>
char *putHexList(char *out, const List &values)
{
    bool first = true;
    for (quint16 v : values) {
        if (!first)
            *out++ = ',';
        out = putHex4(out, v);
        first = false;
    }
    return out;
}

Values withoutGrease(const QList<quint16> &values)
{
    Values out(values.size());
    quint16 *o = out.data();
    for (quint16 v : values) {
        if (!isGrease(v))
            *o++ = v;
    }
    out.resize(o - out.data());
    return out;
}

void sortValues(Values &values)
{
    std::sort(values.begin(), values.end());
}

// OpenSSL's digests, fetched once: QCryptographicHash's own MD5 and SHA-256 took more than half of the 2 µs budget,
// and an implicit fetch per call (EVP_md5()) costs about as much as the hashing.
const EVP_MD *fetchDigest(const char *name)
{
    return EVP_MD_fetch(nullptr, name, nullptr); // kept for the life of the process
}

const EVP_MD *md5()
{
    static const EVP_MD *const md = fetchDigest("MD5");
    return md;
}

const EVP_MD *sha256()
{
    static const EVP_MD *const md = fetchDigest("SHA256");
    return md;
}

struct ContextFree
{
    void operator()(EVP_MD_CTX *c) const { EVP_MD_CTX_free(c); }
};
using Context = std::unique_ptr<EVP_MD_CTX, ContextFree>;

// Digest contexts per thread, reused (making one per call costs about a third of an MD5 of a JA3 string): two for MD5,
// as JA3's and JA3N's continue from one shared state, and one for SHA-256.
enum Slot { Md5First, Md5Second, Sha256Slot, SlotCount };
EVP_MD_CTX *context(Slot slot)
{
    thread_local const Context contexts[SlotCount]
        = {Context(EVP_MD_CTX_new()), Context(EVP_MD_CTX_new()), Context(EVP_MD_CTX_new())};
    return contexts[slot].get();
}

bool begin(EVP_MD_CTX *c, const EVP_MD *md, const char *data, qsizetype size)
{
    return md && c && EVP_DigestInit_ex2(c, md, nullptr) && EVP_DigestUpdate(c, data, size_t(size));
}

// Finishes c with the last bytes and writes the lower-case hex of the digest, its first `length` characters, at out.
// Returns the end of what it wrote (nothing on a failure inside OpenSSL).
char *finish(EVP_MD_CTX *c, const char *data, qsizetype size, int length, char *out)
{
    unsigned char hash[EVP_MAX_MD_SIZE];
    unsigned int hashSize = 0;
    if (!c || !EVP_DigestUpdate(c, data, size_t(size)) || !EVP_DigestFinal_ex(c, hash, &hashSize))
        return out;
    length = qMin(length, int(2 * hashSize));
    for (int i = 0; i < length; ++i)
        *out++ = HexDigits[(hash[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
    return out;
}

// The hex digest of one piece of text (an empty result on a failure inside OpenSSL).
char *putDigest(char *out, const char *data, qsizetype size, const EVP_MD *md, Slot slot, int length)
{
    EVP_MD_CTX *c = context(slot);
    return begin(c, md, data, 0) ? finish(c, data, size, length, out) : out;
}

QString latin1(const char *begin, const char *end)
{
    return QString::fromLatin1(begin, end - begin);
}

bool isAlphanumeric(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// JA4's two-character codes, as characters written at out.
char *putVersionCode(char *out, quint16 version)
{
    const char *code = "00";
    switch (version) {
    case 0x0304:
        code = "13";
        break;
    case 0x0303:
        code = "12";
        break;
    case 0x0302:
        code = "11";
        break;
    case 0x0301:
        code = "10";
        break;
    case 0x0300:
        code = "s3";
        break;
    case 0x0002:
        code = "s2";
        break;
    case 0xfeff:
        code = "d1";
        break;
    case 0xfefd:
        code = "d2";
        break;
    case 0xfefc:
        code = "d3";
        break;
    default:
        break;
    }
    out[0] = code[0];
    out[1] = code[1];
    return out + 2;
}

char *putAlpnCode(char *out, QByteArrayView first)
{
    if (first.isEmpty()) {
        out[0] = out[1] = '0';
    } else if (isAlphanumeric(first.front()) && isAlphanumeric(first.back())) {
        out[0] = first.front();
        out[1] = first.back();
    } else {
        // The first and last characters of the hex form of the whole value.
        out[0] = HexDigits[(quint8(first.front()) >> 4) & 0xf];
        out[1] = HexDigits[quint8(first.back()) & 0xf];
    }
    return out + 2;
}

// JA4's "a" part: t13d1516h2.
char *putTwoDigits(char *out, qsizetype count)
{
    const int n = int(qMin<qsizetype>(count, 99));
    out[0] = char('0' + n / 10);
    out[1] = char('0' + n % 10);
    return out + 2;
}

// JA4's extension list (no SNI, no ALPN) from the sorted, GREASE-free one.
Values ja4Extensions(const Values &sortedExtensions)
{
    Values out(sortedExtensions.size());
    quint16 *o = out.data();
    for (quint16 e : sortedExtensions) {
        if (e != 0x0000 && e != 0x0010)
            *o++ = e;
    }
    out.resize(o - out.data());
    return out;
}

// JA4's "c" part in full: the sorted extensions, then '_' and the signature algorithms in sent order when there are
// any. Room: 5 characters per value.
char *putJa4Extensions(char *out, const Values &sortedExtensions, const Values &schemes)
{
    out = putHexList(out, sortedExtensions);
    if (!schemes.isEmpty()) {
        *out++ = '_';
        out = putHexList(out, schemes);
    }
    return out;
}

constexpr char NoHash[] = "000000000000";

} // namespace

QString md5Hex(QByteArrayView text)
{
    char out[32];
    return latin1(out, putDigest(out, text.data(), text.size(), md5(), Md5First, 32));
}

namespace Ja4 {

QString versionCode(quint16 version)
{
    char code[2];
    putVersionCode(code, version);
    return QString::fromLatin1(code, 2);
}

QString alpnCode(QByteArrayView first)
{
    char code[2];
    putAlpnCode(code, first);
    return QString::fromLatin1(code, 2);
}

QString cipherHash(const QList<quint16> &ciphers)
{
    Values sorted = withoutGrease(ciphers);
    if (sorted.isEmpty())
        return QString::fromLatin1(NoHash);
    sortValues(sorted);
    Text text(5 * sorted.size());
    const char *end = putHexList(text.data(), sorted);
    char hash[12];
    return latin1(hash, putDigest(hash, text.constData(), end - text.constData(), sha256(), Sha256Slot, 12));
}

QString extensionHash(const QList<quint16> &extensions, const QList<quint16> &signatureAlgorithms)
{
    Values all = withoutGrease(extensions);
    sortValues(all);
    const Values sorted = ja4Extensions(all);
    if (sorted.isEmpty())
        return QString::fromLatin1(NoHash);
    const Values schemes = withoutGrease(signatureAlgorithms);
    Text text(5 * (sorted.size() + schemes.size()) + 1);
    const char *end = putJa4Extensions(text.data(), sorted, schemes);
    char hash[12];
    return latin1(hash, putDigest(hash, text.constData(), end - text.constData(), sha256(), Sha256Slot, 12));
}

} // namespace Ja4

ClientFingerprints clientFingerprints(const ClientHelloDissection &hello)
{
    ClientFingerprints f;
    if (hello.status != DissectionStatus::Complete)
        return f;
    const Values ciphers = withoutGrease(hello.cipherSuites);
    Values extensions;
    extensions.reserve(hello.extensions.size());
    for (const HelloExtension &x : hello.extensions) {
        if (!x.isGrease())
            extensions.append(x.type);
    }
    const Values groups = withoutGrease(hello.supportedGroups);
    const Values schemes = withoutGrease(hello.signatureAlgorithms);
    Values sortedExtensions = extensions;
    sortValues(sortedExtensions);
    Values sortedCiphers = ciphers;
    sortValues(sortedCiphers);
    const Values ja4Sorted = ja4Extensions(sortedExtensions);

    // One buffer holds every string, each written once at its place; room for the longest forms: 6 characters per
    // decimal value and separator, 5 per hex value and separator, 4 per point format.
    const qsizetype ja3Room
        = 6 + 6 * (ciphers.size() + extensions.size() + groups.size()) + 4 * hello.ecPointFormats.size() + 4;
    const qsizetype ja4rRoom = 11 + 5 * (sortedCiphers.size() + ja4Sorted.size() + schemes.size()) + 2;
    Text buffer(2 * ja3Room + 32 + 32 + 37 + ja4rRoom);

    // JA3 and JA3N: the same string but for the order of the extensions. Their MD5s share the digest of everything
    // before the extensions (the cipher suites are most of the string), computed once.
    char *const ja3 = buffer.data();
    char *p = putDecimal(ja3, hello.legacyVersion);
    *p++ = ',';
    p = putDecimals(p, ciphers);
    *p++ = ',';
    char *const ja3Extensions = p;
    p = putDecimals(p, extensions);
    char *const ja3Tail = p;
    *p++ = ',';
    p = putDecimals(p, groups);
    *p++ = ',';
    p = putDecimals(p, hello.ecPointFormats);
    char *const ja3End = p;

    char *const ja3n = p;
    std::memcpy(ja3n, ja3, size_t(ja3Extensions - ja3));
    p = putDecimals(ja3n + (ja3Extensions - ja3), sortedExtensions);
    std::memcpy(p, ja3Tail, size_t(ja3End - ja3Tail));
    char *const ja3nEnd = p + (ja3End - ja3Tail);

    EVP_MD_CTX *first = context(Md5First);
    EVP_MD_CTX *second = context(Md5Second);
    char *const ja3Md5 = ja3nEnd;
    char *ja3Md5End = ja3Md5;
    char *ja3nMd5End = ja3Md5 + 32;
    if (begin(first, md5(), ja3, ja3Extensions - ja3) && EVP_MD_CTX_copy_ex(second, first)) {
        ja3Md5End = finish(first, ja3Extensions, ja3End - ja3Extensions, 32, ja3Md5);
        char *const ja3nExtensions = ja3n + (ja3Extensions - ja3);
        ja3nMd5End = finish(second, ja3nExtensions, ja3nEnd - ja3nExtensions, 32, ja3Md5 + 32);
    }

    // JA4_r: t13d1516h2_ciphers_extensions_schemes; JA4 hashes the last two parts.
    char *const ja4r = ja3Md5 + 64;
    p = ja4r;
    *p++ = 't';
    p = putVersionCode(p, hello.highestVersion());
    *p++ = hello.hasExtension(0x0000) ? 'd' : 'i';
    p = putTwoDigits(p, ciphers.size());
    p = putTwoDigits(p, extensions.size());
    p = putAlpnCode(p, hello.alpn.isEmpty() ? QByteArrayView() : QByteArrayView(hello.alpn.front()));
    *p++ = '_';
    char *const ja4rCiphers = p;
    p = putHexList(p, sortedCiphers);
    char *const ja4rCiphersEnd = p;
    *p++ = '_';
    char *const ja4rExtensions = p;
    p = putJa4Extensions(p, ja4Sorted, schemes);
    char *const ja4rEnd = p;

    char *const ja4 = p;
    std::memcpy(ja4, ja4r, size_t(ja4rCiphers - ja4r));
    p = ja4 + (ja4rCiphers - ja4r);
    if (sortedCiphers.isEmpty()) {
        p = std::copy_n(NoHash, 12, p);
    } else {
        p = putDigest(p, ja4rCiphers, ja4rCiphersEnd - ja4rCiphers, sha256(), Sha256Slot, 12);
    }
    *p++ = '_';
    if (ja4Sorted.isEmpty())
        p = std::copy_n(NoHash, 12, p);
    else
        p = putDigest(p, ja4rExtensions, ja4rEnd - ja4rExtensions, sha256(), Sha256Slot, 12);
    Q_ASSERT(p <= buffer.data() + buffer.size());

    f.ja3 = latin1(ja3, ja3End);
    f.ja3Md5 = latin1(ja3Md5, ja3Md5End);
    f.ja3n = latin1(ja3n, ja3nEnd);
    f.ja3nMd5 = latin1(ja3Md5 + 32, ja3nMd5End);
    f.ja4 = latin1(ja4, p);
    f.ja4r = latin1(ja4r, ja4rEnd);
    return f;
}

ServerFingerprints serverFingerprints(const ServerHelloDissection &hello)
{
    ServerFingerprints f;
    if (hello.status != DissectionStatus::Complete)
        return f;
    Values extensions;
    extensions.reserve(hello.extensions.size());
    for (const HelloExtension &x : hello.extensions) {
        if (!x.isGrease())
            extensions.append(x.type);
    }
    Text text(6 + 6 + 6 * extensions.size() + 32);
    char *p = putDecimal(text.data(), hello.legacyVersion);
    *p++ = ',';
    p = putDecimal(p, hello.cipherSuite);
    *p++ = ',';
    p = putDecimals(p, extensions);
    f.ja3s = latin1(text.constData(), p);
    char *const hashEnd = putDigest(p, text.constData(), p - text.constData(), md5(), Md5First, 32);
    f.ja3sMd5 = latin1(p, hashEnd);
    return f;
}

QCborMap ClientFingerprints::toCbor() const
{
    return QCborMap {{u"ja3"_s, ja3}, {u"ja3_md5"_s, ja3Md5}, {u"ja3n"_s, ja3n}, {u"ja3n_md5"_s, ja3nMd5},
        {u"ja4"_s, ja4}, {u"ja4_r"_s, ja4r}};
}

QCborMap ServerFingerprints::toCbor() const
{
    return QCborMap {{u"ja3s"_s, ja3s}, {u"ja3s_md5"_s, ja3sMd5}};
}

} // namespace TlsLab::Model
