#include "model/core/eventdetails.h"

#include "model/core/eventcbor.h"

#include <QCborArray>
#include <QCborStreamReader>
#include <QtEndian>

#include <QLocale>
#include <QVarLengthArray>

#include <algorithm>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace TlsLab::Model {

namespace {
constexpr quint8 MajorUnsigned = 0;
constexpr quint8 MajorNegative = 1;
constexpr quint8 MajorText = 3;
constexpr quint8 MajorArray = 4;
} // namespace

EventDetails::EventDetails(std::initializer_list<std::pair<QStringView, DetailValue>> fields)
{
    m_fields.reserve(qsizetype(fields.size()) * 24);
    for (const auto &[key, value] : fields)
        insert(key, value);
}

EventDetails::EventDetails(const QCborMap &map)
{
    for (auto it = map.begin(); it != map.end(); ++it)
        insert(it.key().toString(), DetailValue(it.value()));
}

void EventDetails::appendHead(quint8 major, quint64 value)
{
    EventCbor::appendHead(m_fields, EventCbor::Major(major), value);
}

void EventDetails::appendText(QStringView text)
{
    EventCbor::appendText(m_fields, text);
}

EventDetails &EventDetails::insert(QStringView key, const DetailValue &value)
{
    appendText(key);
    switch (value.type()) {
    case DetailValue::Text:
        appendText(value.text());
        break;
    case DetailValue::Integer:
        if (value.integer() >= 0)
            appendHead(MajorUnsigned, quint64(value.integer()));
        else
            appendHead(MajorNegative, quint64(-1 - value.integer()));
        break;
    case DetailValue::Boolean:
        m_fields.append(char(value.boolean() ? 0xf5 : 0xf4));
        break;
    case DetailValue::Double: {
        m_fields.append(char(0xfb));
        const double d = value.number();
        quint64 bits;
        std::memcpy(&bits, &d, sizeof bits);
        const quint64 be = qToBigEndian(bits);
        m_fields.append(reinterpret_cast<const char *>(&be), 8);
        break;
    }
    case DetailValue::TextList:
        appendHead(MajorArray, quint64(value.textList().size()));
        for (const QString &s : value.textList())
            appendText(s);
        break;
    case DetailValue::Cbor:
        m_fields.append(value.cbor().toCbor());
        break;
    }
    return *this;
}

namespace {

// The head of the CBOR item at p: major type, argument, and where the item's content starts. False for what
// EventDetails' producers never write (indefinite lengths, reserved values) or when the bytes end first.
bool readHead(const uchar *&p, const uchar *end, quint8 &major, quint64 &argument)
{
    if (p >= end)
        return false;
    const uchar initial = *p++;
    major = initial >> 5;
    const uchar info = initial & 31;
    if (info < 24) {
        argument = info;
        return true;
    }
    const int bytes = info == 24 ? 1 : info == 25 ? 2 : info == 26 ? 4 : info == 27 ? 8 : 0;
    if (bytes == 0 || end - p < bytes)
        return false;
    argument = 0;
    for (int i = 0; i < bytes; ++i)
        argument = argument << 8 | *p++;
    return true;
}

// Reads the subset of CBOR that EventDetails writes (and QCborValue writes for its nested values) and writes JSON.
class CborToJson
{
public:
    CborToJson(const QByteArray &in, QByteArray &out)
        : m_p(reinterpret_cast<const uchar *>(in.constData()))
        , m_end(m_p + in.size())
        , m_out(out)
    { }

    // The fields of a map without its opening and closing bytes.
    bool fields()
    {
        m_out.append('{');
        bool first = true;
        while (m_p < m_end) {
            if (!first)
                m_out.append(',');
            first = false;
            if (!text(true))
                return false;
            m_out.append(':');
            if (!value(0))
                return false;
        }
        m_out.append('}');
        return true;
    }

private:
    bool head(quint8 &major, quint64 &argument) { return readHead(m_p, m_end, major, argument); }

    bool text(bool mustBeText)
    {
        quint8 major;
        quint64 length;
        if (!head(major, length) || (mustBeText && major != 3) || quint64(m_end - m_p) < length)
            return false;
        appendJsonString(m_out, reinterpret_cast<const char *>(m_p), qsizetype(length));
        m_p += length;
        return true;
    }

    bool value(int depth)
    {
        if (depth > 16 || m_p >= m_end)
            return false;
        const uchar initial = *m_p;
        if (initial >> 5 == 3)
            return text(true);
        if (initial >> 5 == 7) {
            ++m_p;
            switch (initial) {
            case 0xf4:
                m_out.append("false");
                return true;
            case 0xf5:
                m_out.append("true");
                return true;
            case 0xf6:
            case 0xf7:
                m_out.append("null");
                return true;
            case 0xfb: {
                if (m_end - m_p < 8)
                    return false;
                quint64 bits = 0;
                for (int i = 0; i < 8; ++i)
                    bits = bits << 8 | *m_p++;
                double d;
                std::memcpy(&d, &bits, sizeof d);
                if (!std::isfinite(d))
                    return false;
                m_out.append(QByteArray::number(d, 'g', QLocale::FloatingPointShortest));
                return true;
            }
            default:
                return false;
            }
        }
        quint8 major;
        quint64 argument;
        if (!head(major, argument))
            return false;
        switch (major) {
        case 0:
            appendNumber(argument);
            return true;
        case 1:
            m_out.append('-');
            appendNumber(argument + 1);
            return argument < quint64(std::numeric_limits<qint64>::max());
        case 4:
            m_out.append('[');
            for (quint64 i = 0; i < argument; ++i) {
                if (i)
                    m_out.append(',');
                if (!value(depth + 1))
                    return false;
            }
            m_out.append(']');
            return true;
        case 5:
            m_out.append('{');
            for (quint64 i = 0; i < argument; ++i) {
                if (i)
                    m_out.append(',');
                if (!text(true))
                    return false;
                m_out.append(':');
                if (!value(depth + 1))
                    return false;
            }
            m_out.append('}');
            return true;
        default:
            return false; // byte strings, tags: not written by our producers
        }
    }

    void appendNumber(quint64 value)
    {
        char digits[24];
        const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
        m_out.append(digits, end - digits);
    }

    const uchar *m_p;
    const uchar *m_end;
    QByteArray &m_out;
};

} // namespace

void appendJsonString(QByteArray &out, const char *utf8, qsizetype size)
{
    static constexpr char hex[] = "0123456789abcdef";
    qsizetype plain = 0;
    while (plain < size && static_cast<uchar>(utf8[plain]) >= 0x20 && utf8[plain] != '"' && utf8[plain] != '\\')
        ++plain;
    if (plain == size) { // nothing to escape (nearly always): one copy between the quotes
        const qsizetype at = out.size();
        out.resize(at + size + 2);
        char *o = out.data() + at;
        o[0] = '"';
        std::memcpy(o + 1, utf8, size_t(size));
        o[size + 1] = '"';
        return;
    }
    out.append('"');
    // Runs of characters that need no escape (nearly all) are appended whole: appending character by character was
    // most of the cost of an event's JSON line.
    qsizetype run = 0;
    for (qsizetype i = 0; i < size; ++i) {
        const auto c = static_cast<uchar>(utf8[i]);
        if (c != '"' && c != '\\' && c >= 0x20)
            continue;
        out.append(utf8 + run, i - run);
        run = i + 1;
        if (c == '"' || c == '\\') {
            const char esc[] = {'\\', char(c)};
            out.append(esc, 2);
        } else {
            const char esc[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            out.append(esc, 6);
        }
    }
    out.append(utf8 + run, size - run);
    out.append('"');
}

namespace {
bool appendSortedJson(const QByteArray &fields, QByteArray &out);
} // namespace

bool EventDetails::appendJson(QByteArray &out) const
{
    const qsizetype start = out.size();
    CborToJson writer(m_fields, out);
    if (writer.fields())
        return true;
    out.truncate(start);
    // Details the writer above declines (a certificate's DER as a byte string) used to go through QJsonObject and
    // QJsonDocument, a tenth of the tap's cost; the same text, written directly.
    if (appendSortedJson(m_fields, out))
        return true;
    out.truncate(start);
    return false;
}

QByteArray EventDetails::toCbor() const
{
    QByteArray out;
    out.reserve(m_fields.size() + 2);
    out.append(char(0xbf)); // map of indefinite length
    out.append(m_fields);
    out.append(char(0xff)); // break
    return out;
}

EventDetails EventDetails::fromEncodedFields(const QByteArray &fields)
{
    EventDetails d;
    d.m_fields = fields;
    return d;
}

QCborValue cborOrUndefined(const QByteArray &bytes)
{
    QCborParserError error;
    QCborValue value = QCborValue::fromCbor(bytes, &error);
    return error.error == QCborError::NoError ? value : QCborValue(QCborSimpleType::Undefined);
}

QCborValue cborOrUndefined(QCborStreamReader &reader)
{
    QCborValue value = QCborValue::fromCbor(reader);
    return reader.lastError() == QCborError::NoError ? value : QCborValue(QCborSimpleType::Undefined);
}

QCborMap EventDetails::toMap() const
{
    if (m_fields.isEmpty())
        return {};
    const QCborValue value = cborOrUndefined(toCbor());
    if (value.isMap())
        return value.toMap();
    // Damaged details (read from a capture): kept as they are, under a name that says so.
    return QCborMap {{QStringLiteral("undecodable_details"), m_fields}};
}

QJsonObject EventDetails::toJsonObject() const
{
    return toMap().toJsonObject();
}

namespace {

// Moves p past one whole item without decoding it.
bool skipItem(const uchar *&p, const uchar *end, int depth = 0)
{
    quint8 major;
    quint64 argument;
    if (depth > 32 || !readHead(p, end, major, argument))
        return false;
    switch (major) {
    case 0:
    case 1:
    case 7: // simple values and floats: readHead took their bytes as the argument
        return true;
    case 2:
    case 3:
        if (quint64(end - p) < argument)
            return false;
        p += argument;
        return true;
    case 4:
    case 5: {
        const quint64 items = major == 5 ? 2 * argument : argument;
        if (items > quint64(end - p)) // every item takes at least one byte
            return false;
        for (quint64 i = 0; i < items; ++i) {
            if (!skipItem(p, end, depth + 1))
                return false;
        }
        return true;
    }
    default: // a tag and its item
        return skipItem(p, end, depth + 1);
    }
}

// What QJsonDocument writes for the same details, built from QCborValue::toJsonObject(): the keys of every map sorted,
// byte strings in base64url without padding. Only for content whose rendering is known to be the same: ASCII text
// without control characters, integers, booleans, null, arrays, maps with distinct text keys. False for anything
// else (the caller then goes through QJsonDocument itself).
class SortedJson
{
public:
    explicit SortedJson(QByteArray &out)
        : m_out(out)
    { }

    // count key/value pairs from p, or all up to end when count is negative.
    bool map(const uchar *&p, const uchar *end, qint64 count, int depth)
    {
        struct Entry
        {
            const uchar *key;
            qsizetype keySize;
            const uchar *value;
            const uchar *valueEnd;
        };
        QVarLengthArray<Entry, 32> entries;
        while (count < 0 ? p < end : qint64(entries.size()) < count) {
            quint8 major;
            quint64 length;
            if (!readHead(p, end, major, length) || major != 3 || quint64(end - p) < length)
                return false;
            Entry e {p, qsizetype(length), p + length, nullptr};
            p += length;
            if (!skipItem(p, end))
                return false;
            e.valueEnd = p;
            entries.append(e);
        }
        const auto less = [](const Entry &a, const Entry &b) {
            return std::lexicographical_compare(a.key, a.key + a.keySize, b.key, b.key + b.keySize);
        };
        std::sort(entries.begin(), entries.end(), less);
        m_out.append('{');
        for (qsizetype i = 0; i < entries.size(); ++i) {
            const Entry &e = entries[i];
            if (i > 0 && !less(entries[i - 1], e))
                return false; // the same key twice: QJsonObject keeps one of them
            if (i > 0)
                m_out.append(',');
            if (!text(e.key, e.keySize))
                return false;
            m_out.append(':');
            const uchar *v = e.value;
            if (!value(v, e.valueEnd, depth + 1) || v != e.valueEnd)
                return false;
        }
        m_out.append('}');
        return true;
    }

private:
    bool text(const uchar *p, qsizetype size)
    {
        for (qsizetype i = 0; i < size; ++i) {
            if (p[i] < 0x20 || p[i] >= 0x7f)
                return false;
        }
        appendJsonString(m_out, reinterpret_cast<const char *>(p), size);
        return true;
    }

    bool value(const uchar *&p, const uchar *end, int depth)
    {
        if (depth > 16 || p >= end)
            return false;
        const uchar initial = *p;
        if (initial == 0xf4 || initial == 0xf5 || initial == 0xf6) {
            ++p;
            m_out.append(initial == 0xf4 ? "false" : initial == 0xf5 ? "true" : "null");
            return true;
        }
        quint8 major;
        quint64 argument;
        if (!readHead(p, end, major, argument))
            return false;
        char digits[24];
        switch (major) {
        case 0:
            if (argument > quint64(std::numeric_limits<qint64>::max()))
                return false;
            m_out.append(digits, std::to_chars(digits, digits + sizeof digits, argument).ptr - digits);
            return true;
        case 1:
            if (argument >= quint64(std::numeric_limits<qint64>::max()))
                return false;
            m_out.append('-');
            m_out.append(digits, std::to_chars(digits, digits + sizeof digits, argument + 1).ptr - digits);
            return true;
        case 2: {
            if (quint64(end - p) < argument)
                return false;
            const QByteArray bytes = QByteArray::fromRawData(reinterpret_cast<const char *>(p), qsizetype(argument))
                                         .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
            p += argument;
            m_out.append('"');
            m_out.append(bytes);
            m_out.append('"');
            return true;
        }
        case 3: {
            if (quint64(end - p) < argument || !text(p, qsizetype(argument)))
                return false;
            p += argument;
            return true;
        }
        case 4:
            m_out.append('[');
            for (quint64 i = 0; i < argument; ++i) {
                if (i)
                    m_out.append(',');
                if (!value(p, end, depth + 1))
                    return false;
            }
            m_out.append(']');
            return true;
        case 5:
            return argument <= quint64(end - p) && map(p, end, qint64(argument), depth);
        default:
            return false; // tags, floats, undefined: left to QJsonDocument
        }
    }

    QByteArray &m_out;
};

bool appendSortedJson(const QByteArray &fields, QByteArray &out)
{
    const auto *p = reinterpret_cast<const uchar *>(fields.constData());
    return SortedJson(out).map(p, p + fields.size(), -1, 0);
}

} // namespace

QCborValue EventDetails::value(QStringView key) const
{
    if (m_fields.isEmpty())
        return {};
    // Keys compared as bytes and other values skipped over, and only the value asked for decoded: the diagnosis looks
    // up a dozen fields per session, and a ClientHello's details hold hundreds of values.
    QVarLengthArray<char, 64> wanted;
    bool ascii = true;
    for (QChar c : key) {
        if (c.unicode() >= 0x80) {
            ascii = false;
            break;
        }
        wanted.append(char(c.unicode()));
    }
    if (ascii) {
        const auto *p = reinterpret_cast<const uchar *>(m_fields.constData());
        const uchar *const end = p + m_fields.size();
        while (p < end) {
            quint8 major;
            quint64 length;
            if (!readHead(p, end, major, length) || major != 3 || quint64(end - p) < length)
                break; // not the form written here: the general reader below decides
            const bool match
                = qsizetype(length) == wanted.size() && std::memcmp(p, wanted.constData(), size_t(length)) == 0;
            p += length;
            const uchar *const valueStart = p;
            if (!skipItem(p, end))
                break;
            if (match) {
                return cborOrUndefined(
                    QByteArray::fromRawData(reinterpret_cast<const char *>(valueStart), qsizetype(p - valueStart)));
            }
        }
        if (p == end)
            return {};
    }
    QCborStreamReader reader(toCbor());
    if (!reader.isMap() || !reader.enterContainer())
        return {};
    while (reader.hasNext() && reader.isString()) {
        QString name;
        auto chunk = reader.readString();
        while (chunk.status == QCborStreamReader::Ok) {
            name += chunk.data;
            chunk = reader.readString();
        }
        if (chunk.status == QCborStreamReader::Error || !reader.hasNext())
            return {};
        if (name == key)
            return cborOrUndefined(reader);
        if (!reader.next())
            return {};
    }
    return {};
}

} // namespace TlsLab::Model
