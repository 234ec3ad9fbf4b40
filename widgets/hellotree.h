#pragma once

#include <QCborMap>
#include <QList>
#include <QTreeWidget>

namespace TlsLab::Widgets {

// The hellos of one session as a tree, field by field: record and legacy versions, random, session id, the cipher
// suites by IANA name, compression, and every extension by name and number in the order it was sent, with what it
// said (SNI, ALPN, versions, groups and key shares with their sizes, signature algorithms, PSK modes, ECH...).
// GREASE values are greyed; post-quantum groups and ECH carry a marker and a tooltip saying what they mean.
//
// It draws the model's dissection as the tap's events carry it (ClientHelloDissection::toCbor() and
// ServerHelloDissection::toCbor(), plus the event's direction), so what the tree says and what `tlslab` prints come
// from one parser. A QTreeWidget is enough here: a hello is a small snapshot that is rebuilt whole, never a growing
// list.
class HelloTree final : public QTreeWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HelloTree)

public:
    enum Column { FieldColumn, ValueColumn, ColumnCount };
    enum Role {
        ExtensionTypeRole = Qt::UserRole, // int: the extension's number, on extension rows
        MarkRole, // QString: "grease", "post-quantum", "ech" on the rows so marked
    };

    explicit HelloTree(QWidget *parent = nullptr);
    ~HelloTree() override;

    // The hello messages of a session in the order they were seen: each an event's details (a ClientHello, a
    // HelloRetryRequest, a ServerHello). Replaces what is shown.
    void setHellos(const QList<QCborMap> &hellos);

    // The extension rows under the n-th message, in the order shown (for tests and the screenshots).
    QList<QTreeWidgetItem *> extensionItems(int message = 0) const;

    static QString postQuantumMark(); // the marker put before a post-quantum group
    static QString echMark();

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    int preferredFieldWidth() const;
};

} // namespace TlsLab::Widgets
