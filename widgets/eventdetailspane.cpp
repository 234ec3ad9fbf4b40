#include "widgets/eventdetailspane.h"

#include <QAction>
#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QClipboard>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHeaderView>
#include <QPlainTextEdit>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <functional>

using namespace Qt::StringLiterals;

namespace TlsLab::Widgets {

using namespace TlsLab::Model;

namespace {
// The full value of a field, kept with its item: the column shows it elided.
constexpr int FullValueRole = Qt::UserRole;

QTreeWidgetItem *valueItem(QTreeWidgetItem *item, const QString &value)
{
    item->setText(1, value);
    item->setData(1, FullValueRole, value);
    item->setToolTip(1, value.size() > 2000 ? value.left(2000) + u'…' : value);
    return item;
}
} // namespace

EventDetailsPane::EventDetailsPane(QWidget *parent)
    : QWidget(parent)
    , m_tree(new QTreeWidget(this))
    , m_value(new QPlainTextEdit(this))
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
    m_tree->setTextElideMode(Qt::ElideMiddle);
    m_tree->setContextMenuPolicy(Qt::ActionsContextMenu);
    auto *copy = new QAction(tr("&Copy Value"), m_tree);
    copy->setShortcut(QKeySequence::Copy);
    copy->setShortcutContext(Qt::WidgetShortcut);
    connect(copy, &QAction::triggered, this, &EventDetailsPane::copySelectedValue);
    m_tree->addAction(copy);
    connect(m_tree, &QTreeWidget::currentItemChanged, this, &EventDetailsPane::showCurrentValue);

    m_value->setObjectName(u"eventDetailsValue"_s);
    m_value->setAccessibleName(tr("Selected field's full value"));
    m_value->setReadOnly(true);
    m_value->setPlaceholderText(tr("Select a field to read its whole value"));
    m_value->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_value->setMaximumHeight(m_value->fontMetrics().lineSpacing() * 4 + 12);
    m_value->setTabChangesFocus(true);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_value);
}

EventDetailsPane::~EventDetailsPane() = default;

void EventDetailsPane::clear()
{
    m_tree->clear();
    m_value->clear();
}

void EventDetailsPane::showCurrentValue()
{
    m_value->setPlainText(selectedValue());
}

QString EventDetailsPane::selectedValue() const
{
    const QTreeWidgetItem *item = m_tree->currentItem();
    return item ? item->data(1, FullValueRole).toString() : QString();
}

void EventDetailsPane::copySelectedValue() const
{
    if (const QString value = selectedValue(); !value.isEmpty())
        QGuiApplication::clipboard()->setText(value);
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
        valueItem(item, QString::fromLatin1(value.toByteArray().toHex(' ')));
    } else {
        valueItem(item, value.toVariant().toString());
    }
}

void EventDetailsPane::setEvent(const Event &event)
{
    m_tree->setUpdatesEnabled(false);
    m_tree->clear();
    auto add
        = [this](const QString &name, const QString &value) { valueItem(new QTreeWidgetItem(m_tree, {name}), value); };
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
    m_value->clear();
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
