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
cases-empty = لا توجد حالات لعرضها حتى الآن.

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
