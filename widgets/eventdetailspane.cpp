#include "widgets/eventdetailspane.h"

#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QHeaderView>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <functional>

using namespace Qt::StringLiterals;

namespace TlsLab::Widgets {

using namespace TlsLab::Model;

EventDetailsPane::EventDetailsPane(QWidget *parent)
    : QWidget(parent)
    , m_tree(new QTreeWidget(this))
{
    setObjectName(u"eventDetails"_s);
    m_tree->setObjectName(u"eventDetailsTree"_s);
    m_tree->setAccessibleName(tr("Event details"));
    m_tree->setColumnCount(2);
    m_tree->setHeaderLabels({tr("Field"), tr("Value")});
    m_tree->setAlternatingRowColors(true);
    m_tree->setUniformRowHeights(true);
    m_tree->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_tree->setWordWrap(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tree);
}

EventDetailsPane::~EventDetailsPane() = default;

void EventDetailsPane::clear()
{
    m_tree->clear();
}

void EventDetailsPane::addValue(QTreeWidgetItem *parent, const QString &name, const QCborValue &value)
{
    auto *item = new QTreeWidgetItem(parent, {name});
    if (value.isMap()) {
        const QCborMap map = value.toMap();
        for (auto it = map.cbegin(); it != map.cend(); ++it)
            addValue(item, it.key().toVariant().toString(), it.value());
        item->setExpanded(true);
    } else if (value.isArray()) {
        const QCborArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i)
            addValue(item, QString::number(i + 1), array.at(i));
        item->setText(1, tr("%n item(s)", nullptr, int(array.size())));
        item->setExpanded(true);
    } else if (value.isByteArray()) {
        item->setText(1, QString::fromLatin1(value.toByteArray().toHex(' ')));
    } else {
        item->setText(1, value.toVariant().toString());
        item->setToolTip(1, item->text(1));
    }
}

void EventDetailsPane::setEvent(const Event &event)
{
    m_tree->setUpdatesEnabled(false);
    m_tree->clear();
    auto add = [this](const QString &name, const QString &value) {
        auto *item = new QTreeWidgetItem(m_tree, {name, value});
        item->setToolTip(1, value);
    };
    add(tr("time"), formatTimeUs(event.timeUs));
    add(tr("session"), event.session ? u"#"_s + QString::number(event.session) : tr("listener"));
    add(tr("side"), sideName(event.side));
    add(tr("kind"), kindName(event.kind));
    add(tr("severity"), severityName(event.severity));
    add(tr("summary"), event.summary);
    if (!event.details.isEmpty()) {
        auto *details = new QTreeWidgetItem(m_tree, {tr("details")});
        const QCborMap map = event.details.toMap();
        for (auto it = map.cbegin(); it != map.cend(); ++it)
            addValue(details, it.key().toVariant().toString(), it.value());
        details->setExpanded(true);
    }
    m_tree->setUpdatesEnabled(true);
}

QString EventDetailsPane::text() const
{
    QStringList lines;
    std::function<void(QTreeWidgetItem *, int)> walk = [&](QTreeWidgetItem *item, int depth) {
        lines.append(QString(depth * 2, u' ') + item->text(0) + u": "_s + item->text(1));
        for (int i = 0; i < item->childCount(); ++i)
            walk(item->child(i), depth + 1);
    };
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i)
        walk(m_tree->topLevelItem(i), 0);
    return lines.join(u'\n');
}

} // namespace TlsLab::Widgets
