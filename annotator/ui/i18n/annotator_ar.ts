<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ar" sourcelanguage="en">
<context>
    <name>AgreementBar</name>
    <message>
        <source>all (solid)</source>
        <translation>الجميع (خط متصل)</translation>
    </message>
    <message>
        <source>majority (dashed)</source>
        <translation>الأغلبية (خط متقطع)</translation>
    </message>
    <message>
        <source>minority (dotted)</source>
        <translation>الأقلية (خط منقط)</translation>
    </message>
    <message>
        <source>, </source>
        <translation>، </translation>
    </message>
    <message>
        <source>Annotators ({count}): {names}</source>
        <translation>المعلّقون ({count}): {names}</translation>
    </message>
    <message>
        <source>κ char</source>
        <translation>κ أحرف</translation>
    </message>
    <message>
        <source>κ token</source>
        <translation>κ كلمات</translation>
    </message>
    <message>
        <source>Open disagreements: {open} · unanimous to accept: {unanimous} · decided: {decided}/{candidates}</source>
        <translation>خلافات مفتوحة: {open} · بالإجماع للقبول: {unanimous} · محسوم: {decided}/{candidates}</translation>
    </message>
    <message>
        <source>Underline: {styles}</source>
        <translation>التسطير: {styles}</translation>
    </message>
</context>
<context>
    <name>AgreementDialog</name>
    <message>
        <source>Agreement</source>
        <translation>الاتفاق</translation>
    </message>
    <message>
        <source>Documents: {count}; annotators: {names}</source>
        <translation>المقالات: {count}؛ المعلّقون: {names}</translation>
    </message>
    <message>
        <source>, </source>
        <translation>، </translation>
    </message>
</context>
<context>
    <name>Annotation</name>
    <message>
        <source>{error} — reloaded</source>
        <translation>{error} — أعيد التحميل</translation>
    </message>
    <message>
        <source>My set ({owner})</source>
        <translation>مجموعتي ({owner})</translation>
    </message>
    <message>
        <source>Gold (editable)</source>
        <translation>المرجع الذهبي (قابل للتحرير)</translation>
    </message>
    <message>
        <source>Gold (read only)</source>
        <translation>المرجع الذهبي (للقراءة فقط)</translation>
    </message>
    <message>
        <source>Suggestions (read only)</source>
        <translation>الاقتراحات (للقراءة فقط)</translation>
    </message>
    <message>
        <source>{owner}&apos;s set (read only)</source>
        <translation>مجموعة {owner} (للقراءة فقط)</translation>
    </message>
    <message>
        <source>Suggestions failed: {error}</source>
        <translation>تعذّر حساب الاقتراحات: {error}</translation>
    </message>
    <message>
        <source>Empty selection: only spaces or punctuation</source>
        <translation>تحديد فارغ: مسافات أو علامات ترقيم فقط</translation>
    </message>
    <message>
        <source>Already labeled {label}</source>
        <translation>موسوم مسبقًا: {label}</translation>
    </message>
    <message>
        <source>label {label}</source>
        <translation>وسم «{label}»</translation>
    </message>
    <message>
        <source>Select words first, or click a span</source>
        <translation>حدّد كلمات أولًا، أو انقر مقطعًا</translation>
    </message>
    <message>
        <source>relabel {old} → {new}</source>
        <translation>تغيير الوسم {old} ← {new}</translation>
    </message>
    <message>
        <source>The span cannot move that way</source>
        <translation>لا يمكن تحريك المقطع في هذا الاتجاه</translation>
    </message>
    <message>
        <source>move the start</source>
        <translation>تحريك البداية</translation>
    </message>
    <message>
        <source>move the end</source>
        <translation>تحريك النهاية</translation>
    </message>
    <message>
        <source>note</source>
        <translation>ملاحظة</translation>
    </message>
    <message>
        <source>delete</source>
        <translation>حذف</translation>
    </message>
    <message>
        <source>Click a span labeled {label} to complete {relation} (Esc cancels)</source>
        <translation>انقر مقطعًا موسومًا «{label}» لإكمال «{relation}» (Esc للإلغاء)</translation>
    </message>
    <message>
        <source>Choose a span labeled {label} to complete {relation} (Esc cancels)</source>
        <translation>اختر مقطعًا موسومًا «{label}» لإكمال «{relation}» (Esc للإلغاء)</translation>
    </message>
    <message>
        <source>{relation} starts from a span labeled {label}; select one first</source>
        <translation>تبدأ علاقة «{relation}» من مقطع موسوم «{label}»؛ اختر واحدًا أولًا</translation>
    </message>
    <message>
        <source>{relation}: click the {label} (Esc cancels)</source>
        <translation>{relation}: انقر «{label}» (Esc للإلغاء)</translation>
    </message>
    <message>
        <source>link {relation}</source>
        <translation>ربط «{relation}»</translation>
    </message>
    <message>
        <source>delete a relation</source>
        <translation>حذف علاقة</translation>
    </message>
    <message>
        <source>Relation cancelled</source>
        <translation>أُلغيت العلاقة</translation>
    </message>
    <message>
        <source>Undone: {step}</source>
        <translation>تم التراجع: {step}</translation>
    </message>
    <message>
        <source>Nothing to undo</source>
        <translation>لا شيء للتراجع عنه</translation>
    </message>
    <message>
        <source>Redone: {step}</source>
        <translation>أعيد: {step}</translation>
    </message>
    <message>
        <source>Nothing to redo</source>
        <translation>لا شيء لإعادته</translation>
    </message>
    <message>
        <source>Every hit is already labeled</source>
        <translation>كل النتائج موسومة مسبقًا</translation>
    </message>
    <message>
        <source>label hits as {label} ({count})</source>
        <translation>وسم النتائج «{label}» ({count})</translation>
    </message>
    <message>
        <source>Hits labeled as {label}: {count}</source>
        <translation>نتائج وُسمت «{label}»: {count}</translation>
    </message>
    <message>
        <source>No suggestion left</source>
        <translation>لم يبقَ اقتراح</translation>
    </message>
    <message>
        <source>Suggestions are off in this mode</source>
        <translation>الاقتراحات معطّلة في هذا الوضع</translation>
    </message>
    <message>
        <source>The suggestions are being computed</source>
        <translation>تُحسب الاقتراحات الآن</translation>
    </message>
    <message>
        <source>Suggestion {number}: {label} «{text}»</source>
        <translation>اقتراح {number}: {label} «{text}»</translation>
    </message>
    <message>
        <source>Enter accepts, x rejects, Shift+Enter accepts all</source>
        <translation>Enter للقبول، x للرفض، Shift+Enter لقبول الكل</translation>
    </message>
    <message>
        <source>accept a suggested {label}</source>
        <translation>قبول اقتراح «{label}»</translation>
    </message>
    <message>
        <source>reject a suggested {label}</source>
        <translation>رفض اقتراح «{label}»</translation>
    </message>
    <message>
        <source>No suggestion to accept</source>
        <translation>لا اقتراح للقبول</translation>
    </message>
    <message>
        <source>accept every suggestion ({count})</source>
        <translation>قبول كل الاقتراحات ({count})</translation>
    </message>
    <message>
        <source>Suggestions accepted: {count} (Ctrl+Z undoes)</source>
        <translation>اقتراحات مقبولة: {count} (Ctrl+Z للتراجع)</translation>
    </message>
    <message>
        <source>No suggestion chosen: Tab goes to the next suggestion</source>
        <translation>لم يُختر اقتراح: Tab ينتقل إلى الاقتراح التالي</translation>
    </message>
    <message>
        <source>Nothing to change</source>
        <translation>لا شيء لتغييره</translation>
    </message>
    <message>
        <source>mark done</source>
        <translation>تعليم كمنجزة</translation>
    </message>
    <message>
        <source>No document is open</source>
        <translation>لا مقالة مفتوحة</translation>
    </message>
    <message>
        <source>Select a span first</source>
        <translation>اختر مقطعًا أولًا</translation>
    </message>
    <message>
        <source>Read only: {set} is shown. Choose your own set to edit (View → Show set).</source>
        <translation>للقراءة فقط: المعروض {set}. اختر مجموعتك للتحرير (عرض ← عرض مجموعة).</translation>
    </message>
</context>
<context>
    <name>App</name>
    <message>
        <source>Your name (it labels your annotations):</source>
        <extracomment>Arabic fonts to prefer for the article, best first. Amiri ships with the package (the fontpkg-amiri wheel, OFL), so the window is the same on every machine; View -&gt; Font offers the others installed. The interface font: Noto Sans Arabic ships with the package too (fontpkg-noto-sans-arabic). &quot;ar&quot;, &quot;en&quot; or &quot;auto&quot; for this run (None: the ``language`` setting)</extracomment>
        <translation>اسمك (يُنسب إليه تعليقك):</translation>
    </message>
</context>
<context>
    <name>Charts</name>
    <message>
        <source>n/a</source>
        <translation>غ/م</translation>
    </message>
    <message>
        <source>Span F1 (exact)</source>
        <translation>F1 للمقاطع (تطابق تام)</translation>
    </message>
    <message>
        <source>Span F1 (overlap)</source>
        <translation>F1 للمقاطع (تداخل)</translation>
    </message>
    <message>
        <source>Cohen&apos;s kappa (characters)</source>
        <translation>كابا كوهين (الأحرف)</translation>
    </message>
    <message>
        <source>Cohen&apos;s kappa (tokens)</source>
        <translation>كابا كوهين (الكلمات)</translation>
    </message>
    <message>
        <source>Relation F1</source>
        <translation>F1 للعلاقات</translation>
    </message>
    <message>
        <source>Fleiss&apos; kappa (characters)</source>
        <translation>كابا فلايس (الأحرف)</translation>
    </message>
    <message>
        <source>Krippendorff&apos;s alpha (characters)</source>
        <translation>ألفا كريبندورف (الأحرف)</translation>
    </message>
    <message>
        <source>Krippendorff&apos;s alpha-u (spans)</source>
        <translation>ألفا-u كريبندورف (المقاطع)</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>الدقة</translation>
    </message>
    <message>
        <source>Recall</source>
        <translation>الاستدعاء</translation>
    </message>
    <message>
        <source>{metric} — documents: {count}</source>
        <translation>{metric} — المقالات: {count}</translation>
    </message>
    <message>
        <source>Fewer than two annotators to compare</source>
        <translation>أقل من معلّقين اثنين للمقارنة</translation>
    </message>
    <message>
        <source>{metric} per label</source>
        <translation>{metric} لكل وسم</translation>
    </message>
    <message>
        <source>No labels</source>
        <translation>لا وسوم</translation>
    </message>
    <message>
        <source>No agreement figures yet</source>
        <translation>لا أرقام اتفاق بعد</translation>
    </message>
</context>
<context>
    <name>DetailsPanel</name>
    <message>
        <source>Note</source>
        <translation>ملاحظة</translation>
    </message>
    <message>
        <source>Relations</source>
        <translation>العلاقات</translation>
    </message>
    <message>
        <source>Remove relation</source>
        <translation>حذف العلاقة</translation>
    </message>
    <message>
        <source>No span selected</source>
        <translation>لا مقطع مختار</translation>
    </message>
</context>
<context>
    <name>Help</name>
    <message>
        <source>Keyboard</source>
        <translation>لوحة المفاتيح</translation>
    </message>
    <message>
        <source>label the selection, or relabel the selected span</source>
        <translation>وسم التحديد، أو تغيير وسم المقطع المختار</translation>
    </message>
    <message>
        <source>select words (dragging and double-clicking too; snapped to whole words)</source>
        <translation>تحديد كلمات (بالسحب والنقر المزدوج أيضًا؛ يُضبط على كلمات كاملة)</translation>
    </message>
    <message>
        <source>a click on a span selects it (in the span list too: the label and other keys then act on it)</source>
        <translation>النقر على مقطع يختاره (في قائمة المقاطع أيضًا: تعمل عليه عندئذ مفاتيح الوسوم وغيرها)</translation>
    </message>
    <message>
        <source>remove the selected span</source>
        <translation>حذف المقطع المختار</translation>
    </message>
    <message>
        <source>grow the span by a word at its start (right) / end (left)</source>
        <translation>توسيع المقطع كلمةً من بدايته (يمين) / نهايته (يسار)</translation>
    </message>
    <message>
        <source>shrink the span by a word from that side</source>
        <translation>تقليص المقطع كلمةً من تلك الجهة</translation>
    </message>
    <message>
        <source>the same by one character</source>
        <translation>الشيء نفسه بحرف واحد</translation>
    </message>
    <message>
        <source>with a quote selected: link it to its speaker / cue; then click</source>
        <translation>مع اقتباس مختار: ربطه بقائله / بفعل القول؛ ثم انقر</translation>
    </message>
    <message>
        <source>quote kind: direct / indirect / partial</source>
        <translation>نوع الاقتباس: مباشر / غير مباشر / جزئي</translation>
    </message>
    <message>
        <source>cancel a relation, close search, deselect</source>
        <translation>إلغاء علاقة، إغلاق البحث، إلغاء التحديد</translation>
    </message>
    <message>
        <source>undo, redo</source>
        <translation>تراجع، إعادة</translation>
    </message>
    <message>
        <source>search (hamza, harakat, ى/ي, ة/ه ignored), next hit</source>
        <translation>بحث (تُهمل الهمزة والحركات و ى/ي و ة/ه)، النتيجة التالية</translation>
    </message>
    <message>
        <source>mark the document done and open the next one</source>
        <translation>تعليم المقالة كمنجزة وفتح التالية</translation>
    </message>
    <message>
        <source>zoom</source>
        <translation>تكبير وتصغير</translation>
    </message>
    <message>
        <source>move between the article, the queue, the span list and the details</source>
        <translation>التنقل بين المقالة وقائمة المقالات وقائمة المقاطع والتفاصيل</translation>
    </message>
    <message>
        <source>next / previous suggestion (dotted underline; the current one wavy)</source>
        <translation>الاقتراح التالي / السابق (خط منقط؛ والحالي متموج)</translation>
    </message>
    <message>
        <source>accept the suggestion (with its relations to spans you have)</source>
        <translation>قبول الاقتراح (مع علاقاته بمقاطعك)</translation>
    </message>
    <message>
        <source>reject the suggestion (hidden for you, remembered)</source>
        <translation>رفض الاقتراح (يُخفى عنك ويُحفظ)</translation>
    </message>
    <message>
        <source>accept every suggestion of the document (one undo step)</source>
        <translation>قبول كل اقتراحات المقالة (خطوة تراجع واحدة)</translation>
    </message>
    <message>
        <source>Letter keys work with the Arabic keyboard layout too (ض = q …).</source>
        <translation>مفاتيح الحروف تعمل مع لوحة المفاتيح العربية أيضًا (ض = q …).</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>المراجعة</translation>
    </message>
    <message>
        <source>next / previous disagreement</source>
        <translation>الخلاف التالي / السابق</translation>
    </message>
    <message>
        <source>accept the candidate into gold, on to the next one</source>
        <translation>قبول المرشح في المرجع الذهبي، ثم الانتقال إلى التالي</translation>
    </message>
    <message>
        <source>accept it and select the gold span, to fix it with the keys below (Tab moves on)</source>
        <translation>قبوله وتحديد المقطع الذهبي لتصحيحه بالمفاتيح أدناه (Tab للانتقال)</translation>
    </message>
    <message>
        <source>reject it</source>
        <translation>رفضه</translation>
    </message>
    <message>
        <source>take that annotator&apos;s version of the region</source>
        <translation>أخذ نسخة ذلك المعلّق من المنطقة</translation>
    </message>
    <message>
        <source>accept every unanimous candidate of the document</source>
        <translation>قبول كل مرشحات المقالة المتفق عليها بالإجماع</translation>
    </message>
    <message>
        <source>fix a gold span&apos;s boundaries, label, link (as in annotation)</source>
        <translation>تصحيح حدود مقطع ذهبي أو وسمه أو ربطه (كما في التعليق)</translation>
    </message>
    <message>
        <source>mark the document reviewed, open the next one</source>
        <translation>تعليم المقالة كمراجَعة وفتح التالية</translation>
    </message>
    <message>
        <source>undo, redo any decision</source>
        <translation>التراجع عن أي قرار وإعادته</translation>
    </message>
    <message>
        <source>Underlines: solid = every annotator, dashed = a majority, dotted = a minority.</source>
        <translation>التسطير: متصل = كل المعلّقين، متقطع = الأغلبية، منقط = الأقلية.</translation>
    </message>
</context>
<context>
    <name>LabelPalette</name>
    <message>
        <source>More… ({count})</source>
        <translation>المزيد… ({count})</translation>
    </message>
    <message>
        <source>Keys: {keys}</source>
        <translation>المفاتيح: {keys}</translation>
    </message>
    <message>
        <source>More…</source>
        <translation>المزيد…</translation>
    </message>
    <message>
        <source>Every label, with a search field</source>
        <translation>كل الوسوم، مع حقل بحث</translation>
    </message>
</context>
<context>
    <name>LabelPicker</name>
    <message>
        <source>Search labels…</source>
        <translation>ابحث في الوسوم…</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Every document is done</source>
        <translation>كل المقالات منجزة</translation>
    </message>
    <message>
        <source>… and {count} more</source>
        <translation>… و{count} غيرها</translation>
    </message>
    <message>
        <source>Label the hits as {label}? Hits: {count}</source>
        <translation>وسم النتائج «{label}»؟ عدد النتائج: {count}</translation>
    </message>
    <message>
        <source>Label all hits</source>
        <translation>وسم كل النتائج</translation>
    </message>
    <message>
        <source>{size} pt</source>
        <translation>{size} نقطة</translation>
    </message>
    <message>
        <source>Keyboard</source>
        <translation>لوحة المفاتيح</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;ملف</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>&amp;تحرير</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>&amp;عرض</translation>
    </message>
    <message>
        <source>&amp;Suggestions</source>
        <translation>&amp;اقتراحات</translation>
    </message>
    <message>
        <source>&amp;Review</source>
        <translation>&amp;مراجعة</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>م&amp;ساعدة</translation>
    </message>
    <message>
        <source>Reviewed, next document</source>
        <translation>روجعت، المقالة التالية</translation>
    </message>
    <message>
        <source>Done, next document</source>
        <translation>تمّت، المقالة التالية</translation>
    </message>
    <message>
        <source>Annotation mode</source>
        <translation>وضع التعليق</translation>
    </message>
    <message>
        <source>Review mode (reviewers)</source>
        <translation>وضع المراجعة (للمراجعين)</translation>
    </message>
    <message>
        <source>Quit</source>
        <translation>خروج</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>تراجع</translation>
    </message>
    <message>
        <source>Redo</source>
        <translation>إعادة</translation>
    </message>
    <message>
        <source>Find</source>
        <translation>بحث</translation>
    </message>
    <message>
        <source>Show set…</source>
        <translation>عرض مجموعة…</translation>
    </message>
    <message>
        <source>Agreement…</source>
        <translation>الاتفاق…</translation>
    </message>
    <message>
        <source>Suggestion outcomes…</source>
        <translation>أداء الاقتراحات…</translation>
    </message>
    <message>
        <source>Zoom in</source>
        <translation>تكبير</translation>
    </message>
    <message>
        <source>Zoom out</source>
        <translation>تصغير</translation>
    </message>
    <message>
        <source>Next pane</source>
        <translation>الجزء التالي</translation>
    </message>
    <message>
        <source>Next disagreement (Tab)</source>
        <translation>الخلاف التالي (Tab)</translation>
    </message>
    <message>
        <source>Previous disagreement (Shift+Tab)</source>
        <translation>الخلاف السابق (Shift+Tab)</translation>
    </message>
    <message>
        <source>Accept (Enter)</source>
        <translation>قبول (Enter)</translation>
    </message>
    <message>
        <source>Accept and fix it (Shift+Enter)</source>
        <translation>قبول ثم تصحيح (Shift+Enter)</translation>
    </message>
    <message>
        <source>Reject (x)</source>
        <translation>رفض (x)</translation>
    </message>
    <message>
        <source>Accept all unanimous (u)</source>
        <translation>قبول كل ما أُجمع عليه (u)</translation>
    </message>
    <message>
        <source>Next suggestion (Tab)</source>
        <translation>الاقتراح التالي (Tab)</translation>
    </message>
    <message>
        <source>Previous suggestion (Shift+Tab)</source>
        <translation>الاقتراح السابق (Shift+Tab)</translation>
    </message>
    <message>
        <source>Accept all (Shift+Enter)</source>
        <translation>قبول الكل (Shift+Enter)</translation>
    </message>
    <message>
        <source>Panels</source>
        <translation>الأجزاء</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>اللغة</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>لغة النظام</translation>
    </message>
    <message>
        <source>Font</source>
        <translation>الخط</translation>
    </message>
    <message>
        <source>Queue</source>
        <translation>قائمة المقالات</translation>
    </message>
    <message>
        <source>Spans</source>
        <translation>المقاطع</translation>
    </message>
    <message>
        <source>Saved {time}</source>
        <translation>حُفظ {time}</translation>
    </message>
    <message>
        <source>All saved</source>
        <translation>كل شيء محفوظ</translation>
    </message>
    <message>
        <source>Reviewer: {name}</source>
        <translation>المراجِع: {name}</translation>
    </message>
    <message>
        <source>Annotator: {name}</source>
        <translation>المعلّق: {name}</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>مراجعة</translation>
    </message>
    <message>
        <source>Showing: {set}</source>
        <translation>المعروض: {set}</translation>
    </message>
    <message>
        <source>Reviewed: {done}/{total}</source>
        <translation>روجع: {done}/{total}</translation>
    </message>
    <message>
        <source>Done: {done}/{total}</source>
        <translation>منجز: {done}/{total}</translation>
    </message>
    <message>
        <source>Changed elsewhere: reloaded</source>
        <translation>تغيّر من مكان آخر: أعيد التحميل</translation>
    </message>
</context>
<context>
    <name>QueueModel</name>
    <message>
        <source>Title</source>
        <translation>العنوان</translation>
    </message>
    <message>
        <source>Spans</source>
        <translation>المقاطع</translation>
    </message>
    <message>
        <source>{title}
{status} · {id} · characters: {length} · spans: {spans}</source>
        <translation>{title}
{status} · {id} · الأحرف: {length} · المقاطع: {spans}</translation>
    </message>
</context>
<context>
    <name>QueuePanel</name>
    <message>
        <source>Filter…</source>
        <translation>تصفية…</translation>
    </message>
    <message>
        <source>Title or id (hamza and harakat ignored)</source>
        <translation>العنوان أو المعرّف (تُهمل الهمزة والحركات)</translation>
    </message>
    <message>
        <source>All</source>
        <translation>الكل</translation>
    </message>
    <message>
        <source>Show the documents of one status</source>
        <translation>اعرض مقالات حالة واحدة</translation>
    </message>
</context>
<context>
    <name>Review</name>
    <message>
        <source>gold</source>
        <translation>المرجع الذهبي</translation>
    </message>
    <message>
        <source>No disagreement left; unanimous candidates: {count} (u accepts them)</source>
        <translation>لم يبقَ خلاف؛ مرشحات بالإجماع: {count} (u لقبولها)</translation>
    </message>
    <message>
        <source>Every candidate is decided (Ctrl+Enter marks the document reviewed)</source>
        <translation>حُسم كل مرشح (Ctrl+Enter لتعليم المقالة كمراجَعة)</translation>
    </message>
    <message>
        <source>Already in gold</source>
        <translation>موجود في المرجع الذهبي</translation>
    </message>
    <message>
        <source>Decided already: gold has its region&apos;s version</source>
        <translation>محسوم من قبل: في المرجع الذهبي نسخة لهذه المنطقة</translation>
    </message>
    <message>
        <source>accept {label}</source>
        <translation>قبول «{label}»</translation>
    </message>
    <message>
        <source>reject {label}</source>
        <translation>رفض «{label}»</translation>
    </message>
    <message>
        <source>Annotators: {count} (keys 1-{count})</source>
        <translation>المعلّقون: {count} (المفاتيح 1-{count})</translation>
    </message>
    <message>
        <source>take {name}&apos;s version</source>
        <translation>أخذ نسخة {name}</translation>
    </message>
    <message>
        <source>No open unanimous candidate</source>
        <translation>لا مرشح مفتوح بالإجماع</translation>
    </message>
    <message>
        <source>accept the unanimous candidates ({count})</source>
        <translation>قبول المرشحات بالإجماع ({count})</translation>
    </message>
    <message>
        <source>Unanimous candidates accepted: {count}</source>
        <translation>مرشحات بالإجماع قُبلت: {count}</translation>
    </message>
    <message>
        <source>No candidate chosen: Tab goes to the next disagreement</source>
        <translation>لم يُختر مرشح: Tab ينتقل إلى الخلاف التالي</translation>
    </message>
</context>
<context>
    <name>ReviewQueueModel</name>
    <message>
        <source>Title</source>
        <translation>العنوان</translation>
    </message>
    <message>
        <source>Mean span F1 (exact) over pairs of annotators</source>
        <translation>متوسط F1 للمقاطع (تطابق تام) بين أزواج المعلّقين</translation>
    </message>
    <message>
        <source>, </source>
        <translation>، </translation>
    </message>
    <message>
        <source>{title}
{status} · {id} · characters: {length}
Annotators: {people}</source>
        <translation>{title}
{status} · {id} · الأحرف: {length}
المعلّقون: {people}</translation>
    </message>
</context>
<context>
    <name>ReviewStatus</name>
    <message>
        <source>Unreviewed</source>
        <translation>لم يراجَع</translation>
    </message>
    <message>
        <source>In review</source>
        <translation>قيد المراجعة</translation>
    </message>
    <message>
        <source>Reviewed</source>
        <translation>روجع</translation>
    </message>
</context>
<context>
    <name>SearchBar</name>
    <message>
        <source>Search (hamza, harakat, ى/ي and ة/ه ignored)</source>
        <translation>بحث (تُهمل الهمزة والحركات و ى/ي و ة/ه)</translation>
    </message>
    <message>
        <source>Previous</source>
        <translation>السابق</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>التالي</translation>
    </message>
    <message>
        <source>Label all hits…</source>
        <translation>وسم كل النتائج…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>إغلاق</translation>
    </message>
    <message>
        <source>No hits</source>
        <translation>لا نتائج</translation>
    </message>
</context>
<context>
    <name>SetChooser</name>
    <message>
        <source>Read only</source>
        <translation>للقراءة فقط</translation>
    </message>
    <message>
        <source>Show another set of this document (read only): gold, the suggestions, and for reviewers every annotator&apos;s</source>
        <translation>اعرض مجموعة أخرى من هذه المقالة (للقراءة فقط): المرجع الذهبي والاقتراحات، ومجموعة كل معلّق للمراجعين</translation>
    </message>
</context>
<context>
    <name>SpanModel</name>
    <message>
        <source>Label</source>
        <translation>الوسم</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>النص</translation>
    </message>
    <message>
        <source>Attr.</source>
        <translation>سمات</translation>
    </message>
    <message>
        <source>Rel.</source>
        <translation>علاقات</translation>
    </message>
    <message>
        <source>Sorted in reading order</source>
        <translation>مرتبة بترتيب القراءة</translation>
    </message>
    <message>
        <source>Attributes</source>
        <translation>السمات</translation>
    </message>
    <message>
        <source>Relations</source>
        <translation>العلاقات</translation>
    </message>
    <message>
        <source>, </source>
        <translation>، </translation>
    </message>
    <message>
        <source>Note: {note}</source>
        <translation>ملاحظة: {note}</translation>
    </message>
</context>
<context>
    <name>Status</name>
    <message>
        <source>To do</source>
        <extracomment>each status&apos;s color in the queue (a dot before the title) and in the status filter</extracomment>
        <translation>للعمل</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>جارٍ</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>منجز</translation>
    </message>
    <message>
        <source>Skipped</source>
        <translation>متروك</translation>
    </message>
</context>
<context>
    <name>SuggestionStatsDialog</name>
    <message>
        <source>Suggestion outcomes</source>
        <translation>أداء الاقتراحات</translation>
    </message>
    <message>
        <source>Suggester</source>
        <translation>المقترِح</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>قُبل</translation>
    </message>
    <message>
        <source>Fixed</source>
        <translation>صُحّح</translation>
    </message>
    <message>
        <source>Rejected</source>
        <translation>رُفض</translation>
    </message>
    <message>
        <source>Ignored</source>
        <translation>أُهمل</translation>
    </message>
    <message>
        <source>Taken</source>
        <translation>نسبة القبول</translation>
    </message>
    <message>
        <source>Annotation sets: {sets}, of documents: {documents}. Fixed: accepted, then edited. Ignored: in the stored suggestions (annotator suggest) of a set marked done, neither accepted nor rejected.</source>
        <translation>مجموعات التعليق: {sets}، من المقالات: {documents}. صُحّح: قُبل ثم عُدّل. أُهمل: في الاقتراحات المخزّنة (annotator suggest) لمجموعة عُلّمت منجزة، فلم يُقبل ولم يُرفض.</translation>
    </message>
    <message>
        <source>No suggestion has been accepted or rejected yet.</source>
        <translation>لم يُقبل أي اقتراح ولم يُرفض بعد.</translation>
    </message>
</context>
<context>
    <name>VersionsPanel</name>
    <message>
        <source>Versions: Tab goes to the next disagreement.</source>
        <translation>النسخ: Tab ينتقل إلى الخلاف التالي.</translation>
    </message>
    <message>
        <source>open</source>
        <translation>مفتوح</translation>
    </message>
    <message>
        <source>accepted</source>
        <translation>مقبول</translation>
    </message>
    <message>
        <source>rejected</source>
        <translation>مرفوض</translation>
    </message>
    <message>
        <source>superseded</source>
        <translation>مستبدَل</translation>
    </message>
    <message>
        <source>all</source>
        <translation>الجميع</translation>
    </message>
    <message>
        <source>majority</source>
        <translation>الأغلبية</translation>
    </message>
    <message>
        <source>minority</source>
        <translation>الأقلية</translation>
    </message>
    <message>
        <source>missing</source>
        <translation>مفقود</translation>
    </message>
    <message>
        <source>other label</source>
        <translation>وسم آخر</translation>
    </message>
    <message>
        <source>other boundaries</source>
        <translation>حدود أخرى</translation>
    </message>
    <message>
        <source>other relation</source>
        <translation>علاقة أخرى</translation>
    </message>
    <message>
        <source>, </source>
        <translation>، </translation>
    </message>
    <message>
        <source>none</source>
        <translation>لا شيء</translation>
    </message>
    <message>
        <source>nothing</source>
        <translation>لا شيء</translation>
    </message>
    <message>
        <source>{label} «{text}» — {agreement} ({count}/{total}: {names}); {state}; disagreement: {kinds}</source>
        <translation>{label} «{text}» — {agreement} ({count}/{total}: {names})؛ {state}؛ الخلاف: {kinds}</translation>
    </message>
    <message>
        <source>Enter accepts, Shift+Enter accepts to fix, x rejects, 1-9 take a version, u accepts every unanimous candidate, Tab / Shift+Tab move.</source>
        <translation>Enter للقبول، Shift+Enter للقبول ثم التصحيح، x للرفض، 1-9 لأخذ نسخة، u لقبول كل مرشح بالإجماع، Tab / Shift+Tab للتنقل.</translation>
    </message>
    <message>
        <source>Copy the page</source>
        <translation>نسخ الصفحة</translation>
    </message>
</context>
</TS>
