#pragma once

#include <QByteArray>
#include <QCborMap>
#include <QCborStreamReader>
#include <QCborValue>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <initializer_list>
#include <utility>

namespace TlsLab::Model {

class EventDetails;

// Qt 6.4's QCborValue::fromCbor hands back what it had built when the bytes are not valid CBOR (a text string that is
// not UTF-8, a cut item), and reading that value reads past its storage. Bytes from outside (a capture file) are
// decoded through these instead: any error gives an undefined value.
QCborValue cborOrUndefined(const QByteArray &bytes);
QCborValue cborOrUndefined(QCborStreamReader &reader);

// One value of an event's details, as written at the call site: text, a number, a flag, a list of text, or any
// CBOR value (the slow path, for rare nested data such as a certificate chain summary). It only refers to its
// source for the duration of the expression that builds the details.
class DetailValue
{
public:
    DetailValue(const QString &text)
        : m_type(Text)
        , m_text(&text)
    { }
    DetailValue(qint64 number)
        : m_type(Integer)
        , m_integer(number)
    { }
    DetailValue(int number)
        : DetailValue(qint64(number))
    { }
    DetailValue(uint number)
        : DetailValue(qint64(number))
    { }
    DetailValue(quint64 number)
        : DetailValue(qint64(number))
    { }
    DetailValue(bool flag)
        : m_type(Boolean)
        , m_boolean(flag)
    { }
    DetailValue(double number)
        : m_type(Double)
        , m_double(number)
    { }
    DetailValue(const QStringList &list)
        : m_type(TextList)
        , m_list(&list)
    { }
    DetailValue(const QCborValue &value)
        : m_type(Cbor)
        , m_cbor(value)
    { }
    DetailValue(const QCborArray &array)
        : DetailValue(QCborValue(array))
    { }
    DetailValue(const QCborMap &map)
        : DetailValue(QCborValue(map))
    { }

    enum Type { Text, Integer, Boolean, Double, TextList, Cbor };
    // What EventDetails::insert() encodes; each accessor only for its own type.
    Type type() const { return m_type; }
    const QString &text() const { return *m_text; }
    qint64 integer() const { return m_integer; }
    bool boolean() const { return m_boolean; }
    double number() const { return m_double; }
    const QStringList &textList() const { return *m_list; }
    const QCborValue &cbor() const { return m_cbor; }

private:
    Type m_type;
    union {
        const QString *m_text;
        qint64 m_integer;
        bool m_boolean;
        double m_double;
        const QStringList *m_list;
    };
    QCborValue m_cbor;
};

// The structured fields of an event, encoded straight to CBOR as they are added (a map with string keys), so that
// recording an event costs one small buffer and no tree of nodes. Readers decode on demand.
class EventDetails
{
public:
    EventDetails() = default;
    EventDetails(std::initializer_list<std::pair<QStringView, DetailValue>> fields);
    EventDetails(const QCborMap &map); // compatibility: any QCborMap with string keys

    EventDetails &insert(QStringView key, const DetailValue &value);

    bool isEmpty() const { return m_fields.isEmpty(); }
    // The CBOR encoding of the whole map (an indefinite-length map).
    QByteArray toCbor() const;
    // The encoded fields without the map's opening and closing bytes (for the timeline's storage).
    const QByteArray &encodedFields() const { return m_fields; }
    static EventDetails fromEncodedFields(const QByteArray &fields);

    QCborMap toMap() const;
    // Appends the fields as a JSON object, straight from the encoding (the fast path for JSON lines). Returns
    // false, appending nothing, if the details hold something this writer does not handle.
    bool appendJson(QByteArray &out) const;
    QJsonObject toJsonObject() const;
    QCborValue value(QStringView key) const;
    bool contains(QStringView key) const { return !value(key).isUndefined(); }

    friend bool operator==(const EventDetails &a, const EventDetails &b) { return a.m_fields == b.m_fields; }

private:
    void appendHead(quint8 major, quint64 value);
    void appendText(QStringView text);
    QByteArray m_fields;
};

// Appends UTF-8 text as a JSON string: quoted, with '"', '\\' and control characters escaped.
void appendJsonString(QByteArray &out, const char *utf8, qsizetype size);

} // namespace TlsLab::Model
