#include "widgets/hellotree.h"

#include "model/tls/grease.h"
#include "model/tls/tlsnames.h"

#include <QCborArray>
#include <QCborValue>
#include <QHeaderView>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace TlsLab::Widgets {

using namespace TlsLab::Model;

namespace {

constexpr quint16 EncryptedClientHelloType = 0xfe0d;

// "0x0303" (as the dissection writes numbers) -> 0x0303; 0 when it is not one.
quint16 fromHex(const QString &text)
{
    return quint16(QStringView(text).mid(text.startsWith(u"0x"_s) ? 2 : 0).toUInt(nullptr, 16));
}

QString versionText(const QString &hex)
{
    return hex + u" ("_s + versionLabel(fromHex(hex)) + u')';
}

QString bytesText(qint64 bytes)
{
    return bytes == 1 ? HelloTree::tr("1 byte") : HelloTree::tr("%1 bytes").arg(bytes);
}

QString hexText(const QString &hex)
{
    if (hex.isEmpty())
        return HelloTree::tr("empty");
    return hex + u" ("_s + bytesText(hex.size() / 2) + u')';
}

// The labels of an extension's decoded fields, as ClientHelloDissection::toCbor() names them.
QString fieldLabel(const QString &key)
{
    static const QHash<QString, QString> labels {
        {u"server_name"_s, HelloTree::tr("Server name")},
        {u"protocols"_s, HelloTree::tr("Protocols")},
        {u"versions"_s, HelloTree::tr("Versions")},
        {u"groups"_s, HelloTree::tr("Groups")},
        {u"formats"_s, HelloTree::tr("Point formats")},
        {u"shares"_s, HelloTree::tr("Key shares")},
        {u"schemes"_s, HelloTree::tr("Schemes")},
        {u"algorithms"_s, HelloTree::tr("Algorithms")},
        {u"modes"_s, HelloTree::tr("Modes")},
        {u"identities"_s, HelloTree::tr("Identities")},
        {u"status_type"_s, HelloTree::tr("Status type")},
        {u"ech_type"_s, HelloTree::tr("ECH type")},
        {u"config_id"_s, HelloTree::tr("Config id")},
        {u"payload_size"_s, HelloTree::tr("Payload size")},
        {u"limit"_s, HelloTree::tr("Record size limit")},
        {u"renegotiated_connection_size"_s, HelloTree::tr("renegotiated_connection size")},
    };
    return labels.value(key, key);
}

QString scalarText(const QCborValue &v)
{
    if (v.isInteger())
        return QString::number(v.toInteger());
    if (v.isBool())
        return v.toBool() ? HelloTree::tr("yes") : HelloTree::tr("no");
    return v.toString();
}

// One key share: "X25519MLKEM768 (0x11ec), 1216 bytes".
QString shareText(const QCborMap &share)
{
    QString text = share.value(u"name"_s).toString();
    if (!text.startsWith(u"GREASE"_s) && !text.startsWith(u"unknown"_s))
        text += u" ("_s + share.value(u"value"_s).toString() + u')';
    if (share.contains(u"size"_s))
        text += u": "_s + bytesText(share.value(u"size"_s).toInteger());
    return text;
}

QString elided(const QStringList &items, int shown = 6)
{
    if (items.size() <= shown)
        return items.join(u", "_s);
    return items.mid(0, shown).join(u", "_s) + HelloTree::tr(", … (%1 in all)").arg(items.size());
}

} // namespace

HelloTree::HelloTree(QWidget *parent)
    : QTreeWidget(parent)
{
    setObjectName(u"helloTree"_s);
    setAccessibleName(tr("Hello dissection"));
    setColumnCount(ColumnCount);
    setHeaderLabels({tr("Field"), tr("Value")});
    setUniformRowHeights(true);
    setAlternatingRowColors(true);
    setSelectionMode(QAbstractItemView::SingleSelection);
    header()->setSectionResizeMode(FieldColumn, QHeaderView::Interactive);
    header()->setStretchLastSection(true);
    setColumnWidth(FieldColumn, preferredFieldWidth());
    // Tab moves on, as everywhere else in the window.
    setTabKeyNavigation(false);
}

HelloTree::~HelloTree() = default;

int HelloTree::preferredFieldWidth() const
{
    // Wide enough for the longest extension name with its mark, at the depth extensions sit.
    return fontMetrics().horizontalAdvance(u"[ECH] signature_algorithms_cert (0x0032)"_s) + 3 * indentation() + 8;
}

void HelloTree::resizeEvent(QResizeEvent *event)
{
    QTreeWidget::resizeEvent(event);
    // In a narrow pane (1024x768) the values keep at least half of the width.
    setColumnWidth(FieldColumn, std::min(preferredFieldWidth(), viewport()->width() / 2));
}

QString HelloTree::postQuantumMark()
{
    return u"[PQ]"_s;
}

QString HelloTree::echMark()
{
    return u"[ECH]"_s;
}

void HelloTree::setHellos(const QList<QCborMap> &hellos)
{
    clear();
    const QColor grey = palette().color(QPalette::Disabled, QPalette::Text);
    QFont bold = font();
    bold.setBold(true);
    auto grease = [&grey](QTreeWidgetItem *item) {
        item->setForeground(FieldColumn, grey);
        item->setForeground(ValueColumn, grey);
        item->setData(FieldColumn, MarkRole, u"grease"_s);
        item->setToolTip(FieldColumn,
            tr("GREASE (RFC 8701): a reserved value sent so that servers keep ignoring what they do not know; it "
               "says nothing about the client's real choices"));
    };
    auto postQuantum = [&bold](QTreeWidgetItem *item) {
        item->setFont(FieldColumn, bold);
        item->setText(FieldColumn, postQuantumMark() + u' ' + item->text(FieldColumn));
        item->setData(FieldColumn, MarkRole, u"post-quantum"_s);
        item->setToolTip(FieldColumn,
            tr("Post-quantum key exchange (ML-KEM / Kyber, alone or in a hybrid with a classical group). Its key "
               "share is large: the hello may not fit one TCP segment, which some middleboxes mishandle."));
    };
    auto row = [](QTreeWidgetItem *parent, const QString &field, const QString &value) {
        auto *item = new QTreeWidgetItem(parent, {field, value});
        item->setToolTip(ValueColumn, value);
        return item;
    };

    for (const QCborMap &hello : hellos) {
        const QString type = hello.value(u"type"_s).toString();
        const QString direction = hello.value(u"direction"_s).toString();
        const bool clientHello = hello.value(u"type_code"_s).toInteger() == 1 || type == u"ClientHello"_s;
        const qint64 size = hello.value(u"size"_s).toInteger(hello.value(u"bytes"_s).toInteger());
        auto *top = new QTreeWidgetItem(this,
            {type,
                direction.isEmpty()
                    ? bytesText(size)
                    : tr("%1, %2").arg(direction == u"sent"_s ? tr("sent") : tr("received"), bytesText(size))});
        top->setFont(FieldColumn, bold);
        top->setFirstColumnSpanned(false);
        const QString status = hello.value(u"status"_s).toString();
        if (status != u"complete"_s) {
            row(top, tr("Status"),
                status == u"error"_s ? tr("malformed: %1").arg(hello.value(u"error"_s).toString()) : tr("incomplete"));
            top->setExpanded(true);
            continue;
        }

        if (clientHello) {
            if (hello.contains(u"record_version"_s))
                row(top, tr("Record version"), versionText(hello.value(u"record_version"_s).toString()));
            if (hello.contains(u"records"_s)) {
                QString how = tr("%n record(s)", nullptr, int(hello.value(u"records"_s).toInteger()));
                if (hello.contains(u"reads"_s))
                    how += tr(", %n socket read(s)", nullptr, int(hello.value(u"reads"_s).toInteger()));
                row(top, tr("Arrived in"), how);
            }
            if (hello.value(u"sslv2_compatible"_s).toBool())
                row(top, tr("Format"), tr("SSLv2-compatible hello"));
            row(top, tr("Legacy version"), versionText(hello.value(u"legacy_version"_s).toString()));
            row(top, tr("Highest version offered"), hello.value(u"highest_version"_s).toString());
            row(top, tr("Random"), hexText(hello.value(u"random"_s).toString()));
            row(top, tr("Session id"), hexText(hello.value(u"session_id"_s).toString()));

            const QCborArray names = hello.value(u"cipher_suites"_s).toArray();
            const QCborArray values = hello.value(u"cipher_suite_values"_s).toArray();
            auto *suites = row(top, tr("Cipher suites"), tr("%n suite(s)", nullptr, int(names.size())));
            for (qsizetype i = 0; i < names.size(); ++i) {
                const quint16 value = quint16(values.at(i).toInteger());
                auto *suite = row(suites, names.at(i).toString(), hex16(value));
                if (isGrease(value))
                    grease(suite);
            }
            QStringList methods;
            for (const QCborValue &m : hello.value(u"compression_methods"_s).toArray())
                methods.append(m.toInteger() == 0 ? tr("null (0)") : QString::number(m.toInteger()));
            row(top, tr("Compression methods"), methods.join(u", "_s));
        } else {
            row(top, tr("Legacy version"), versionText(hello.value(u"legacy_version"_s).toString()));
            row(top, tr("Version"), hello.value(u"version"_s).toString());
            row(top, tr("Random"), hexText(hello.value(u"random"_s).toString()));
            if (hello.contains(u"downgrade_sentinel"_s))
                row(top, tr("Downgrade sentinel"), hello.value(u"downgrade_sentinel"_s).toString());
            row(top, tr("Session id"), hexText(hello.value(u"session_id"_s).toString()));
            row(top, tr("Cipher suite"),
                hello.value(u"cipher_suite"_s).toString() + u" ("_s + hello.value(u"cipher_suite_value"_s).toString()
                    + u')');
            row(top, tr("Compression method"),
                hello.value(u"compression_method"_s).toInteger() == 0
                    ? tr("null (0)")
                    : QString::number(hello.value(u"compression_method"_s).toInteger()));
            if (hello.contains(u"key_share"_s)) {
                const QCborMap share = hello.value(u"key_share"_s).toMap();
                auto *item = row(top,
                    hello.value(u"hello_retry_request"_s).toBool() ? tr("Asks for group") : tr("Selected group"),
                    shareText(share));
                if (share.value(u"post_quantum"_s).toBool())
                    postQuantum(item);
            }
            if (hello.contains(u"selected_psk_identity"_s))
                row(top, tr("Resumes"),
                    tr("pre-shared key identity %1").arg(hello.value(u"selected_psk_identity"_s).toInteger()));
            if (hello.contains(u"alpn"_s))
                row(top, tr("ALPN"), hello.value(u"alpn"_s).toString());
            if (hello.contains(u"cookie_size"_s))
                row(top, tr("Cookie"), bytesText(hello.value(u"cookie_size"_s).toInteger()));
        }

        const QCborArray extensions = hello.value(u"extensions"_s).toArray();
        auto *list
            = row(top, tr("Extensions"), tr("%n extension(s), in the order sent", nullptr, int(extensions.size())));
        list->setData(FieldColumn, MarkRole, u"extensions"_s);
        for (const QCborValue &v : extensions) {
            const QCborMap x = v.toMap();
            const QString number = x.value(u"type"_s).toString();
            const quint16 typeValue = fromHex(number);
            const bool isGreaseExtension = x.value(u"grease"_s).toBool();
            QString name = x.value(u"name"_s).toString();
            if (!isGreaseExtension && !name.startsWith(u"unknown"_s))
                name += u" ("_s + number + u')';
            auto *item = row(list, name, QString());
            item->setData(FieldColumn, ExtensionTypeRole, int(typeValue));
            QStringList brief;
            int scalars = 0; // with more than one, the brief names each ("ECH type outer, Config id 7")
            for (auto it = x.constBegin(); it != x.constEnd(); ++it) {
                const QString key = it.key().toString();
                scalars += !it.value().isArray() && key != u"type"_s && key != u"name"_s && key != u"size"_s
                    && key != u"grease"_s && key != u"note"_s;
            }
            QStringList postQuantumGroups;
            for (const QCborValue &g : x.value(u"post_quantum_groups"_s).toArray())
                postQuantumGroups.append(g.toString());
            bool offersPostQuantum = false;
            for (auto it = x.constBegin(); it != x.constEnd(); ++it) {
                const QString key = it.key().toString();
                if (key == u"type"_s || key == u"name"_s || key == u"size"_s || key == u"grease"_s
                    || key == u"post_quantum_groups"_s || key == u"note"_s)
                    continue;
                const QCborValue value = it.value();
                if (!value.isArray()) {
                    const QString text = key == u"payload_size"_s ? bytesText(value.toInteger()) : scalarText(value);
                    row(item, fieldLabel(key), text);
                    brief.append(scalars > 1 ? fieldLabel(key) + u' ' + text : text);
                    continue;
                }
                const QCborArray array = value.toArray();
                auto *field = row(item, fieldLabel(key), QString::number(array.size()));
                QStringList texts;
                for (const QCborValue &element : array) {
                    QTreeWidgetItem *child = nullptr;
                    if (element.isMap()) {
                        const QCborMap share = element.toMap();
                        child = row(field, shareText(share), QString());
                        if (share.value(u"grease"_s).toBool())
                            grease(child);
                        else if (share.value(u"post_quantum"_s).toBool()) {
                            postQuantum(child);
                            offersPostQuantum = true;
                        }
                        texts.append(shareText(share));
                    } else {
                        const QString text = scalarText(element);
                        child = row(field, text, QString());
                        if (text.startsWith(u"GREASE"_s))
                            grease(child);
                        else if (postQuantumGroups.contains(text)) {
                            postQuantum(child);
                            offersPostQuantum = true;
                        }
                        texts.append(text);
                    }
                }
                field->setText(ValueColumn, elided(texts));
                field->setToolTip(ValueColumn, texts.join(u", "_s));
                brief.append(elided(texts, 4));
            }
            const QString sizeText = bytesText(x.value(u"size"_s).toInteger());
            const QString value = brief.isEmpty() ? sizeText : brief.join(u", "_s) + u" — "_s + sizeText;
            item->setText(ValueColumn, value);
            item->setToolTip(ValueColumn, value);
            if (isGreaseExtension) {
                grease(item);
            } else if (typeValue == EncryptedClientHelloType) {
                item->setFont(FieldColumn, bold);
                item->setText(FieldColumn, echMark() + u' ' + item->text(FieldColumn));
                item->setData(FieldColumn, MarkRole, u"ech"_s);
                const QString note = x.value(u"note"_s).toString();
                item->setToolTip(FieldColumn,
                    tr("Encrypted Client Hello: the real hello (and its server name) travels encrypted inside this "
                       "one.")
                        + (note.isEmpty() ? QString() : u"\n"_s + note));
            } else if (offersPostQuantum) {
                item->setFont(FieldColumn, bold);
                item->setData(FieldColumn, MarkRole, u"post-quantum"_s);
                item->setText(FieldColumn, postQuantumMark() + u' ' + item->text(FieldColumn));
                item->setToolTip(FieldColumn, tr("Offers a post-quantum group"));
            }
        }
        top->setExpanded(true);
        list->setExpanded(true);
    }
}

QList<QTreeWidgetItem *> HelloTree::extensionItems(int message) const
{
    QList<QTreeWidgetItem *> out;
    QTreeWidgetItem *top = topLevelItem(message);
    if (!top)
        return out;
    for (int i = 0; i < top->childCount(); ++i) {
        QTreeWidgetItem *list = top->child(i);
        if (list->data(FieldColumn, MarkRole).toString() != u"extensions"_s)
            continue;
        for (int j = 0; j < list->childCount(); ++j)
            out.append(list->child(j));
    }
    return out;
}

} // namespace TlsLab::Widgets
