#include "eventdetails.h"

#include <QCborArray>
#include <QtEndian>

#include <cstring>

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
    const char m = char(major << 5);
    if (value < 24) {
        m_fields.append(char(m | char(value)));
    } else if (value <= 0xff) {
        m_fields.append(char(m | 24));
        m_fields.append(char(value));
    } else if (value <= 0xffff) {
        m_fields.append(char(m | 25));
        const quint16 be = qToBigEndian(quint16(value));
        m_fields.append(reinterpret_cast<const char *>(&be), 2);
    } else if (value <= 0xffffffffu) {
        m_fields.append(char(m | 26));
        const quint32 be = qToBigEndian(quint32(value));
        m_fields.append(reinterpret_cast<const char *>(&be), 4);
    } else {
        m_fields.append(char(m | 27));
        const quint64 be = qToBigEndian(value);
        m_fields.append(reinterpret_cast<const char *>(&be), 8);
    }
}

void EventDetails::appendText(QStringView text)
{
    // Most of what we record is ASCII: write it without a temporary UTF-8 copy.
    bool ascii = true;
    for (QChar c : text) {
        if (c.unicode() >= 0x80) {
            ascii = false;
            break;
        }
    }
    if (ascii) {
        appendHead(MajorText, quint64(text.size()));
        const qsizetype at = m_fields.size();
        m_fields.resize(at + text.size());
        char *out = m_fields.data() + at;
        for (QChar c : text)
            *out++ = char(c.unicode());
        return;
    }
    const QByteArray utf8 = text.toUtf8();
    appendHead(MajorText, quint64(utf8.size()));
    m_fields.append(utf8);
}

EventDetails &EventDetails::insert(QStringView key, const DetailValue &value)
{
    appendText(key);
    switch (value.m_type) {
    case DetailValue::Text:
        appendText(*value.m_text);
        break;
    case DetailValue::Integer:
        if (value.m_integer >= 0)
            appendHead(MajorUnsigned, quint64(value.m_integer));
        else
            appendHead(MajorNegative, quint64(-1 - value.m_integer));
        break;
    case DetailValue::Boolean:
        m_fields.append(char(value.m_boolean ? 0xf5 : 0xf4));
        break;
    case DetailValue::Double: {
        m_fields.append(char(0xfb));
        quint64 bits;
        std::memcpy(&bits, &value.m_double, sizeof bits);
        const quint64 be = qToBigEndian(bits);
        m_fields.append(reinterpret_cast<const char *>(&be), 8);
        break;
    }
    case DetailValue::TextList:
        appendHead(MajorArray, quint64(value.m_list->size()));
        for (const QString &s : *value.m_list)
            appendText(s);
        break;
    case DetailValue::Cbor:
        m_fields.append(value.m_cbor.toCbor());
        break;
    }
    return *this;
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

QCborMap EventDetails::toMap() const
{
    if (m_fields.isEmpty())
        return {};
    return QCborValue::fromCbor(toCbor()).toMap();
}

QJsonObject EventDetails::toJsonObject() const
{
    return toMap().toJsonObject();
}

QCborValue EventDetails::value(QStringView key) const
{
    return toMap().value(key.toString());
}

} // namespace TlsLab::Model
