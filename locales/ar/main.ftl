# واجهة Casekeep، العربية.

skip-to-content = انتقل إلى المحتوى
nav-label = التنقل الرئيسي
nav-home = الرئيسية
nav-cases = الحالات
nav-account = حسابي
nav-sign-out = تسجيل الخروج

sign-in-title = تسجيل الدخول
sign-in-button = دخول
field-username = اسم المستخدم
field-password = كلمة المرور
field-full-name = الاسم الكامل
field-role = الدور
field-language = اللغة
language-label = اللغة
language-browser = لغة المتصفح
save-button = حفظ

password-title = تغيير كلمة المرور
password-required-notice = لقد سجّلت الدخول بكلمة مرور لمرة واحدة. اختر كلمة مرور خاصة بك للمتابعة.
field-current-password = كلمة المرور الحالية
field-new-password = كلمة المرور الجديدة
field-confirm-password = أعد كتابة كلمة المرور الجديدة
password-hint = { $min } أحرف على الأقل، ولا تحتوي على اسم المستخدم.
password-button = تغيير كلمة المرور
password-mismatch = كلمتا المرور الجديدتان غير متطابقتين.
password-current-wrong = كلمة المرور الحالية غير صحيحة.
password-same-as-old = يجب أن تختلف كلمة المرور الجديدة عن الحالية.
password-too-weak = يجب أن تتكون كلمة المرور الجديدة من { $min } أحرف على الأقل وألا تحتوي على اسم المستخدم.

home-title = الرئيسية
home-welcome = مرحبًا، { $name }
home-cases-text = ابحث عن الحالات التي تعمل عليها وسجّلها وتابعها.
home-account-text = كلمة المرور واللغة.

cases-title = الحالات
cases-empty = لا توجد حالات لعرضها.

account-title = حسابي
account-change-password = تغيير كلمة المرور

error-title = حدث خطأ
error-home-link = العودة إلى الصفحة الرئيسية
error-bad-request = تعذّر فهم الطلب.
error-unauthenticated = سجّل الدخول للمتابعة.
error-invalid-credentials = اسم المستخدم أو كلمة المرور غير صحيحة.
error-account-locked = محاولات دخول فاشلة كثيرة: هذا الحساب مقفل لفترة. حاول لاحقًا أو اتصل بالمسؤول.
error-password-change-required = غيّر كلمة المرور المؤقتة أولًا.
error-forbidden = ليس لديك إذن للقيام بذلك.
error-csrf = انتهت صلاحية هذا النموذج أو أنه لم يأتِ من Casekeep. أعد تحميل الصفحة وحاول مجددًا.
error-not-found = هذه الصفحة غير موجودة.
error-conflict = قام شخص آخر بتغيير هذا في هذه الأثناء.
error-invalid = بعض المعلومات غير صالحة.
error-too-large = ما أُرسل كبير جدًا.
error-rate-limited = محاولات كثيرة. انتظر دقيقة وحاول مجددًا.
error-unavailable = Casekeep غير متاح حاليًا. حاول مرة أخرى بعد بضع دقائق.
error-internal = حدث خطأ داخلي وتم تسجيله؛ إذا تكرر، أبلغ المسؤول.

role-superuser = مستخدم متميز
role-system-admin = مسؤول النظام
role-caseworker = أخصائي حالة
role-case-manager = مدير حالات
role-referral-recipient = جهة استقبال الإحالات
role-dpo = مسؤول حماية البيانات
role-auditor = مدقق

cases-new-button = حالة جديدة
cases-new-title = تسجيل حالة جديدة
cases-edit-title = تعديل الحالة { $id }
cases-edit-plain = تعديل الحالة
cases-edit-button = تعديل
cases-history-link = سجل التغييرات
cases-close-button = إغلاق الحالة
cases-reopen-button = إعادة فتح الحالة
cases-search-label = الاسم أو رقم الحالة
cases-search-hint = مثلًا: محمد علي، أو CP-2026-000012
cases-filter-status = الحالة
cases-filter-sex = الجنس
cases-filter-risk = مستوى الخطر
cases-filter-age-from = العمر من
cases-filter-age-to = العمر إلى
cases-filter-flagged = المؤشَّر عليها فقط
cases-flagged = مؤشَّر عليها
cases-count = { $count ->
    [zero] لا توجد حالات
    [one] حالة واحدة
    [two] حالتان
    [few] { $count } حالات
   *[other] { $count } حالة
}
cases-col-id = رقم الحالة
cases-col-name = الاسم
cases-col-age = العمر
cases-col-registered = تاريخ التسجيل
cases-col-updated = آخر تحديث
cases-col-sex = الجنس
cases-col-risk = الخطر
cases-col-status = الوضع
cases-col-owner = أخصائي الحالة
filter-any = الكل
filter-apply = تطبيق
filter-clear = مسح عوامل التصفية
status-open = مفتوحة
status-closed = مغلقة
pager-label = الصفحات
pager-previous = الصفحة السابقة
pager-next = الصفحة التالية
pager-position = الصفحة { $page } من { $pages }
form-has-errors = بعض المعلومات غير صالحة. الحقول المعنية مُعلَّمة أدناه.
subform-add = إضافة
subform-remove = حذف هذا الإدخال
subform-none = لم يُسجَّل شيء بعد.
cancel-link = إلغاء
value-yes = نعم
value-no = لا
conflict-title = قام شخص آخر بتعديل هذه الحالة أثناء تعديلك لها
conflict-explain = تم الاحتفاظ بتغييراته. تظهر تغييراتك في النموذج أدناه فوق تغييراته. راجع الحقول المُعلَّمة ثم احفظ مرة أخرى.
conflict-field = الحقل
conflict-by = عدّله
conflict-now = القيمة الحالية
conflict-yours = قيمتك
flags-title = المؤشرات
flags-reason = سبب التأشير
flags-add-button = تأشير
flags-unflag-reason = سبب إزالة المؤشر
flags-unflag-button = إزالة المؤشر
flags-removed = أُزيل المؤشر
notes-add-title = إضافة ملاحظة
notes-subject = الموضوع
notes-text = الملاحظة
notes-add-button = إضافة الملاحظة
history-title = سجل التغييرات
history-back = العودة إلى الحالة
history-from = قبل
history-to = بعد
history-create = تسجيل
history-update = تعديل
history-disable = تعطيل
history-flag = تأشير
history-unflag = إزالة المؤشر
validation-required = هذا الحقل مطلوب.
validation-not_text = أدخل نصًا.
validation-too_long = النص طويل جدًا.
validation-unknown_option = اختر أحد الخيارات المعروضة.
validation-not_list = اختر من الخيارات المعروضة.
validation-not_boolean = حدّد هذا المربع أو ألغِ تحديده.
validation-out_of_range = هذا الرقم خارج النطاق المسموح.
validation-not_a_number = أدخل رقمًا.
validation-in_future = لا يمكن أن يكون هذا التاريخ في المستقبل.
validation-not_a_date = أدخل تاريخًا.
validation-not_object = هذا الإدخال غير صالح.
history-record-state = حالة السجل
attachments-link = الصور والمستندات
attachments-title = الصور والمستندات
attachments-empty = لا توجد ملفات مرفقة بهذه الحالة.
attachments-field = مرفق بصفته
attachments-type = النوع والحجم
attachments-description = الوصف
attachments-added = أضافه { $by } في { $at }
attachments-remove-button = إزالة
attachments-upload-title = إرفاق ملف
attachments-file = الملف
attachments-limits = المقبول: { $types }. بحد أقصى { $file } لكل ملف و{ $record } لكل حالة.
attachments-upload-button = إرفاق
attachments-error-too-large = الملف كبير جدًا: الحد الأقصى { $size } لكل ملف.
attachments-error-file_type_not_allowed = لا يمكن إرفاق هذا النوع من الملفات هنا.
attachments-error-file_empty = الملف فارغ.
attachments-error-not_a_valid_image = تعذرت قراءة الصورة كصورة، أو أنها أكبر من أن تُعالَج.
attachments-error-record_attachments_full = لم تعد هناك مساحة لهذا الملف في هذه الحالة. أزل الملفات التي لم تعد لازمة، أو اسأل المسؤول.
attachments-error-not_an_attachment_field = اختر صفة إرفاق الملف.
attachments-error-required = اختر ملفًا لإرفاقه.
attachments-error-too_long = الوصف طويل جدًا.

admin-edit = تعديل
admin-problem-required = هذا الحقل مطلوب.
admin-problem-too-long = هذا النص طويل جدًا.
admin-problem-control-characters = يحتوي هذا النص على أحرف لا يمكن عرضها.
admin-problem-unknown-language = هذه اللغة غير متاحة.
admin-problem-invalid-code = يتكون الرمز من 64 حرفًا على الأكثر، دون أحرف تحكم.
admin-problem-invalid-agency-code = استخدم من 1 إلى 32 حرفًا لاتينيًا أو رقمًا أو «_» أو «-».
admin-problem-taken = هذا الرمز مستخدم من قبل.
admin-problem-too-deep = لا يمكن إضافة مكان تحت مكان من المستوى الإداري 5.
admin-problem-unknown-location = لا يوجد مكان بهذا الرمز.
admin-problem-wrong-level = يجب أن يكون المكان الأعلى في المستوى الإداري الذي يعلوه مباشرة.
admin-problem-unknown-option = اختر من الخدمات المعروضة.

admin-locations-title = الأماكن
locations-count = { $count ->
    [zero] لا توجد أماكن
    [one] مكان واحد
    [two] مكانان
    [few] { $count } أماكن
   *[other] { $count } مكانًا
}
locations-empty = لا توجد أماكن بعد. أضف بلدًا أو استورد ملف HXL.
locations-add-country = إضافة بلد
locations-add-under = إضافة مكان تحته
locations-disabled = معطّل
locations-more = { $count ->
    [one] عرض المكان الذي تحته
   *[other] عرض الأماكن التي تحته ({ $count })
}
locations-whole-tree = عرض الشجرة كاملة
locations-subtree = الأماكن التابعة لـ { $id }
locations-new-title = إضافة مكان
locations-edit-title = تعديل المكان { $id }
locations-field-code = الرمز
locations-field-code-hint = رمز المكان (P-code)، مثل XX0101. لا يمكن تغييره لاحقًا لأن السجلات تحتفظ به.
locations-field-parent = تابع لـ (رمز المكان في المستوى الأعلى)
locations-field-parent-hint = اتركه فارغًا للبلد. لا يمكن نقل مكان إلا تحت مكان آخر من مستوى المكان الذي يتبعه حاليًا.
locations-field-type = النوع
locations-field-type-hint = مثل: محافظة، قضاء
locations-field-names = الأسماء
locations-state-disabled = هذا المكان معطّل.
locations-disable-hint = لا يُعرض المكان المعطّل في النماذج بعد ذلك، وتحتفظ به السجلات التي تذكره. لا تُحذف الأماكن أبدًا.
locations-disable-button = تعطيل هذا المكان
locations-enable-button = إعادة تفعيل هذا المكان
locations-import-title = استيراد الأماكن من ملف HXL
locations-import-hint = ملف CSV يحتوي سطره الأول (أو الثاني بعد سطر العناوين) على وسوم HXL: ⁦#country+code⁩ و⁦#adm1+code⁩ إلى ⁦#adm5+code⁩، وأسماء مثل ⁦#adm1+name⁩ أو ⁦#adm1+name+i_fr⁩ أو ⁦#adm1+name+i_ar⁩. الحد الأقصى 20 ميغابايت. إذا كان في الملف أي خطأ فلن يُحفظ شيء.
locations-import-file = ملف HXL ‏(CSV)
locations-import-button = استيراد
locations-import-no-file = اختر ملفًا لاستيراده.
locations-import-done = تم استيراد الملف.
locations-import-created = الأماكن المضافة: { $count }
locations-import-updated = الأماكن التي تغيّرت أسماؤها: { $count }
locations-import-unchanged = الأماكن المحدّثة أصلًا: { $count }
locations-import-failed = لم يُستورد شيء: في الملف الأخطاء المذكورة أدناه. صحّحها ثم استورد الملف كاملًا من جديد.
locations-report-where = الموضع
locations-report-problem = المشكلة
locations-back = العودة إلى الأماكن

hxl-at-row = السطر { $row }
hxl-at-row-column = السطر { $row }، { $tag }
hxl-empty = الملف فارغ.
hxl-not-utf8 = الملف ليس نصًا بترميز UTF-8. احفظه بصيغة «CSV UTF-8» ثم استورده من جديد.
hxl-unreadable = لا يمكن قراءة هذا السطر بصيغة CSV.
hxl-no-hashtag-row = لا يوجد سطر وسوم HXL: يجب أن يحتوي السطر الأول، أو الثاني بعد سطر العناوين، على الوسوم مثل ⁦#country+code⁩.
hxl-no-location-columns = لا يحمل أي عمود وسم مكان (⁦#country+code⁩، ⁦#adm1+code⁩ إلى ⁦#adm5+code⁩).
hxl-no-data-rows = لا يصف الملف أي مكان: لا يحتوي أي سطر بعد سطر الوسوم على رمز.
hxl-unknown-tag = يحمل العمود { $column } وسمًا لا يعرفه Casekeep. استخدم ⁦#country⁩ أو ⁦#adm1⁩ إلى ⁦#adm5⁩ مع ⁦+code⁩ أو ⁦+name⁩، أو احذف العمود.
hxl-unsupported-language = العمود { $column }: لا يمكن أن تكون الأسماء إلا بهذه اللغات: { $languages }.
hxl-repeated-column = يكرر العمود { $column } وسم العمود { $first }.
hxl-no-code-column = لا يوجد عمود رموز في مستوى هذه الأسماء نفسه.
hxl-missing-parent-level = لا يحتوي الملف على عمود { $parent }، لذا ليس لهذه الأماكن مكان أعلى.
hxl-missing-code = ورد هنا اسم دون رمز.
hxl-missing-parent-code = يحتاج { $code } إلى رمز المكان الأعلى منه في هذا السطر.
hxl-bad-code = يتكون الرمز من { $max } حرفًا على الأكثر، دون أحرف تحكم.
hxl-bad-name = يتكون الاسم من { $max } حرفًا على الأكثر، دون أحرف تحكم.
hxl-other-level-row = { $code } في مستوى إداري آخر في السطر { $other }.
hxl-other-level-db = { $code } موجود في Casekeep في مستوى إداري آخر.
hxl-broken-parent-row = تبعية غير متسقة: { $code } تابع لـ { $parent } في السطر { $other }.
hxl-broken-parent-db = تبعية غير متسقة: { $code } تابع لـ { $parent } في Casekeep. إن كان قد نُقل فعلًا فانقله في Casekeep أولًا.
hxl-name-differs = لـ { $code } اسم آخر في السطر { $other }.
hxl-too-many = … و{ $count } مشكلة أخرى غير مذكورة.

admin-agencies-title = الجهات
agencies-empty = لا توجد جهات بعد.
agencies-new-button = جهة جديدة
agencies-new-title = جهة جديدة
agencies-edit-title = تعديل الجهة { $id }
agencies-col-code = الرمز
agencies-col-name = الاسم
agencies-col-services = الخدمات
agencies-col-state = الحالة
agencies-state-active = فعّالة
agencies-state-disabled = معطّلة
agencies-field-code = رمز الجهة
agencies-field-code-hint = من 1 إلى 32 حرفًا لاتينيًا أو رقمًا أو «_» أو «-»، مثل UNI-01.
agencies-field-names = الأسماء (الاسم الإنجليزي مطلوب)
agencies-field-services = الخدمات المقدَّمة
agencies-no-services = لم تُضبط أنواع الخدمات بعد (القائمة lookup-service-type).
agencies-disable-button = تعطيل
agencies-enable-button = تفعيل
agencies-disable-hint = لا تُحذف الجهات أبدًا لأن المستخدمين والسجلات يشيرون إليها. لا تُعرض الجهة المعطّلة في الاختيارات الجديدة.

# تسجيل الدخول بخطوتين (العامل الثاني TOTP)
account-second-factor = تسجيل الدخول بخطوتين
second-factor-title = تسجيل الدخول بخطوتين
second-factor-intro = احمِ حسابك برمز من تطبيق مصادقة على هاتفك، يُطلب بعد كلمة المرور في كل تسجيل دخول.
second-factor-begin = تفعيل تسجيل الدخول بخطوتين
second-factor-scan = امسح هذا الرمز بتطبيق المصادقة، أو أدخل المفتاح أدناه فيه. ثم اكتب الأرقام الستة التي يعرضها التطبيق.
second-factor-key = المفتاح
second-factor-confirm = تأكيد
second-factor-wrong-code = هذا الرمز غير صحيح: اكتب الأرقام الستة التي يعرضها التطبيق الآن.
second-factor-on = تسجيل الدخول بخطوتين مفعّل لحسابك.
second-factor-remove-help = لإيقافه، اكتب رمزًا حاليًا من التطبيق أو رمز استرداد.
second-factor-remove = إيقاف تسجيل الدخول بخطوتين
second-factor-codes-title = رموز الاسترداد
second-factor-codes-help = كل رمز من هذه الرموز يسجّل دخولك مرة واحدة إذا فقدت هاتفك. اكتبها أو اطبعها واحفظها في مكان آمن: لن تُعرض إلا الآن.
second-factor-done = تم
field-code = الرمز
sign-in-code-title = الرمز من تطبيقك
sign-in-code-help = اكتب الأرقام الستة التي يعرضها تطبيق المصادقة لـ Casekeep، أو أحد رموز الاسترداد.
sign-in-code-wrong = هذا الرمز غير صحيح. اكتب الرمز الحالي من التطبيق، أو رمز استرداد.
sign-in-code-expired = استغرق تسجيل الدخول وقتًا طويلًا. سجّل الدخول مرة أخرى.
error-second-factor-required = يستخدم هذا الحساب تسجيل الدخول بخطوتين: يلزم رمز من تطبيق المصادقة.
second-factor-required-notice = يتطلب دورك تسجيل الدخول بخطوتين: فعّله للمتابعة.
error-second-factor-enrolment-required = يتطلب دورك تسجيل الدخول بخطوتين: فعّله أولًا من صفحة حسابك.
