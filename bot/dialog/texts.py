"""Every customer-facing sentence, in Egyptian Arabic and English. Warm, short, no Markdown.

One table per language; ``t(lang, key, **values)`` fills one in. Prices are always written by
:func:`price` ("٤٥٠ ج.م" / "450 EGP") and numbers by :func:`number`, so a customer never sees
two formats in one conversation.
"""

from __future__ import annotations

AR_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

TEXTS: dict[str, dict[str, str]] = {
    "ar": {
        "welcome": ("أهلاً وسهلاً في {store} 👋 أنا مساعد المتجر: أدورلك على أي منتج، أقولك السعر والمقاسات، وأسجّلك "
            "طلبك. تحب تبدأ بإيه؟"),
        "help": "اكتبلي اللي بتدور عليه، زي «تيشيرت اسود تحت ٥٠٠» أو «كوتشي مقاس ٤٢»، أو اختار من تحت 👇",
        "unknown": "معلش مش فاهم قصدك 🙏 ممكن تكتبلي اسم المنتج أو اللون أو المقاس اللي بتدور عليه، أو تختار من تحت.",
        "thanks": "العفو، تحت أمرك في أي وقت 🌷",
        "goodbye": "نورتنا 🌷 مستنيينك تاني، مع السلامة!",
        "lang.set": "تمام، هكلمك بالعربي من هنا ورايح.",
        "menu.prompt": "تحب تعمل إيه؟",
        "menu.button": "القايمة",
        "menu.categories": "الأقسام",
        "menu.offers": "العروض",
        "menu.new": "الجديد",
        "menu.best": "الأكتر مبيعاً",
        "menu.cart": "السلة",
        "menu.orders": "طلباتي",
        "menu.human": "كلم حد من الفريق",
        "menu.switch": "English",
        "search.prompt": "بتدور على إيه؟ اكتبلي اسم المنتج واللون أو المقاس، زي «هودي رمادي لارج».",
        "results.intro": "لقيتلك {count} 👇",
        "results.more_intro": "وده كمان 👇",
        "results.stale": "ملحوظة: بعرضلك آخر نسخة عندي من المنتجات، فالأسعار والمتاح ممكن يكونوا اتغيروا شوية.",
        "results.button": "المنتجات",
        "results.none": "ملقتش حاجة بالمواصفات دي 😕 جرب كلمة تانية، أو شوف الأقسام والعروض.",
        "results.none_filters": "ملقتش حاجة بالمواصفات دي 😕 ممكن أشيل الفلاتر وأوريك كل {what}؟",
        "results.no_more": "دي كل المنتجات اللي لقيتها. تحب تدور على حاجة تانية؟",
        "results.sorted": "رتبتلك نفس المنتجات على حسب السعر 👇",
        "results.expired": "القايمة دي قدمت شوية، اكتبلي بتدور على إيه وأنا أطلعهالك تاني.",
        "results.footer": "تحب تعمل إيه كمان؟",
        "choice.more": "المزيد",
        "choice.cheapest": "الأرخص الأول",
        "choice.filters": "فلترة",
        "choice.details": "التفاصيل",
        "choice.add": "ضيف للسلة",
        "choice.site": "على الموقع",
        "choice.related": "يتلبس معاه",
        "choice.all": "شيل الفلاتر",
        "filters.prompt": "تحب تفلتر بإيه؟ اختار لون، أو اكتبلي المقاس أو السعر زي «مقاس XL» أو «تحت ٥٠٠».",
        "filters.any_color": "أي لون",
        "card.stock.in": "متاح",
        "card.stock.low": "فاضل {count} بس",
        "card.stock.out": "خلصان",
        "card.reviews.none": "جديد",
        "details.price": "السعر: {price}",
        "details.discount": "السعر: {price} بدل {old} (خصم {percent}٪)",
        "details.sizes": "المقاسات: {sizes}",
        "details.colors": "الألوان: {colors}",
        "details.rating": "التقييم: {rating} من ٥ ({count})",
        "details.stock.in": "متاح في المخزن ✅",
        "details.stock.low": "فاضل {count} بس ⚡",
        "details.stock.out": "للأسف خلصان دلوقتي ❌",
        "details.actions": "تحب تضيفه للسلة؟",
        "price.one": "{name}: {price}",
        "price.discount": "{name}: {price} بدل {old} (خصم {percent}٪) 🔥",
        "price.out": "وللأسف خلصان دلوقتي.",
        "ref.which": "تقصد أنهي منتج؟ اختار من القايمة أو اكتبلي رقمه، زي «التاني».",
        "ref.missing": "مش لاقي منتج رقم {ref} في القايمة اللي قدامك. اختار من اللي ظاهرين أو دوّر تاني.",
        "ref.none": "مفيش منتج قدامي دلوقتي 🙂 اكتبلي بتدور على إيه وأنا أطلعهولك.",
        "product.not_found": "المنتج ده مش موجود دلوقتي، ممكن يكون اتشال من المتجر. تحب أدورلك على حاجة شبهه؟",
        "compare.need_two": "ابعتلي منتجين على الأقل أقارن بينهم، زي «قارن الأول والتاني».",
        "compare.intro": "المقارنة 👇",
        "compare.cheapest": "الأرخص: {name} ({price})",
        "compare.best_rated": "أعلى تقييم: {name} ({rating} من ٥)",
        "compare.differs": "الفرق في: {fields}",
        "compare.same": "زي بعض في: {fields}",
        "field.final_price": "السعر",
        "field.colors": "الألوان",
        "field.sizes": "المقاسات",
        "field.rating": "التقييم",
        "field.stock_quantity": "المتاح",
        "field.category": "القسم",
        "field.item": "النوع",
        "field.gender": "لمين",
        "field.discount_percent": "الخصم",
        "categories.prompt": "عندنا الأقسام دي، اختار اللي يعجبك 👇",
        "recommend.best_sellers": "دي أكتر حاجات الناس بتحبها عندنا 👇",
        "recommend.new": "ده الجديد اللي نزل 👇",
        "recommend.offers": "دي العروض اللي عليها خصم دلوقتي 🔥",
        "recommend.related": "حاجات تتلبس مع {name} 👇",
        "recommend.none": "مفيش حاجة أرشحهالك دلوقتي، بس تقدر تتفرج على الأقسام.",
        "recommend.similar": "دي كل اللي لقيته من النوع ده 👌 ودي حاجات قريبة منه ممكن تعجبك 👇",
        "store.down": "المتجر مش بيرد دلوقتي 🙏 جرب كمان دقيقة، أو كلم حد من الفريق.",
        "payload.invalid": "الزرار ده قديم أو مش شغال دلوقتي 🙏 اختار من القايمة دي.",
        "attachment.image": "وصلتني الصورة 👌 للأسف مش بقدر أشوف الصور، اكتبلي اسم المنتج أو وصفه وأنا أدورلك.",
        "attachment.audio": "وصلتني الرسالة الصوتية 👌 للأسف مش بقدر أسمعها، ممكن تكتبلي اللي محتاجه؟",
        "attachment.sticker": "😊 تحت أمرك! تحب أدورلك على حاجة؟",
        "attachment.video": "وصلني الفيديو 👌 للأسف مش بقدر أشوف الفيديوهات، ممكن تكتبلي اللي محتاجه؟",
        "attachment.other": "وصلني الملف 👌 بس مش بقدر أفتحه، ممكن تكتبلي اللي محتاجه؟",
        "location": "شكراً على اللوكيشن 📍 هتكتب العنوان بالتفصيل لما نكمل الطلب.",
        "contacts": "وصلتني جهة الاتصال 👌 لو محتاج حاجة من المتجر اكتبلي.",
        "busy": "حصلت مشكلة صغيرة عندي 🙏 جرب تاني كمان شوية.",
        # cart
        "cart.ask_size": "اختار مقاس {name} 👇",
        "cart.ask_color": "اختار لون {name} 👇",
        "cart.bad_option": "المقاس أو اللون ده مش متاح في {name}. اختار من اللي تحت 👇",
        "cart.added": "تمام ✅ ضفت {quantity} × {name}{options} للسلة. إجمالي السلة: {subtotal}",
        "cart.out": "للأسف {name} خلصان دلوقتي 😕 تحب أوريك حاجات شبهه؟",
        "cart.short": "للأسف المتاح من {name} {count} بس. تحب تاخد {count}؟",
        "cart.all_in": "كل المتاح من {name} في سلتك خلاص ({count}).",
        "cart.empty": "السلة فاضية لسه 🛒 اكتبلي بتدور على إيه.",
        "cart.title": "سلتك 🛒",
        "cart.line": "{index}. {name}{options}: {quantity} × {price}",
        "cart.subtotal": "الإجمالي: {subtotal} (من غير الشحن)",
        "cart.removed": "شلت {name} من السلة.",
        "cart.cleared": "فضيت السلة.",
        "cart.qty_set": "بقى عندك {quantity} من {name}.",
        "cart.not_in": "المنتج ده مش في السلة.",
        "cart.which_remove": "تشيل أنهي واحد؟",
        "cart.edit_prompt": "تعدّل إيه؟",
        "choice.checkout": "كمّل الطلب",
        "choice.view_cart": "شوف السلة",
        "choice.continue": "كمّل تسوق",
        "choice.edit_cart": "عدّل السلة",
        "choice.remove": "شيل {name}",
        "choice.plus": "+١ {name}",
        "choice.minus": "-١ {name}",
        "choice.clear": "فضّي السلة",
        "choice.take": "خد {count}",
        # checkout
        "checkout.start": "يلا نكمل الطلب، الدفع كاش عند الاستلام 💵 الاسم بالكامل إيه؟",
        "checkout.ask_name": "الاسم بالكامل إيه؟",
        "checkout.ask_name_again": "نكمل الطلب: اكتبلي اسمك بالكامل 🙂",
        "checkout.ask_phone_again": "نكمل الطلب: ابعتلي رقم موبايلك 🙂",
        "checkout.ask_governorate_again": "نكمل الطلب: ساكن في أنهي محافظة؟ 👇",
        "checkout.ask_confirm_again": "نكمل الطلب: راجعه ودوس «تأكيد» لو كله تمام 👇",
        "checkout.stuck": "لسه مش مظبوطة 🙏 جرّب تاني، أو خلّي حد من الفريق يكمّل معاك الطلب.",
        "checkout.stuck_governorate": "لسه مش لاقيها 🙏 اختار محافظتك من القايمة، ولو مش فيها اختار «محافظة تانية».",
        "checkout.aside": "خلينا نخلص الطلب الأول وبعدها أساعدك في أي حاجة 🙏 ولو حابب توقفه اكتب «الغي».",
        "checkout.aside_shipping": "الشحن على حسب المحافظة، وهقولك سعره ومدته بالظبط لما نوصل لخطوة المحافظة 👌",
        "checkout.aside_payment": "الدفع كاش عند الاستلام 💵 بتدفع للمندوب لما الطلب يوصلك.",
        "checkout.ask_address_again": "اكتبلي العنوان بالتفصيل (المنطقة، الشارع، رقم العمارة والشقة).",
        "label.sizes": "المقاسات",
        "label.colors": "الألوان",
        "checkout.bad_name": "محتاج الاسم بالحروف بس، زي «أحمد محمد» 🙏",
        "checkout.ask_phone": "تمام يا {name} 👌 رقم موبايلك إيه؟ (زي 01012345678)",
        "checkout.bad_phone": ("الرقم ده مش مظبوط 🙏 لازم يكون رقم موبايل مصري من 11 رقم، يبدأ بـ 010 أو 011 أو 012 "
            "أو 015."),
        "checkout.own_number": "استخدم {phone}",
        "checkout.ask_governorate": "ساكن في أنهي محافظة؟ اختار أو اكتب اسمها 👇",
        "checkout.bad_governorate": ("مش لاقي المحافظة دي 🙏 اكتب اسمها تاني، زي «الجيزة» أو «اسكندرية»، أو اختار من "
            "تحت."),
        "checkout.other_governorate": "محافظة تانية",
        "checkout.ask_address": ("الشحن لمحافظة {governorate} بـ {fee} وبيوصل في {days}. اكتبلي العنوان بالتفصيل "
            "(المنطقة، الشارع، رقم العمارة والشقة)."),
        "checkout.ask_address_free": ("الشحن لمحافظة {governorate} مجاني وبيوصل في {days}. اكتبلي العنوان بالتفصيل "
            "(المنطقة، الشارع، رقم العمارة والشقة)."),
        "checkout.bad_address": "العنوان قصير شوية 🙏 اكتبه بالتفصيل: المنطقة والشارع ورقم العمارة.",
        "checkout.summary": ("راجع طلبك:\n{lines}\nالمنتجات: {subtotal}\nالشحن ({governorate}): "
            "{shipping}\nالإجمالي: {total}\n\nالاسم: {name}\nالموبايل: {phone}\nالعنوان: {address}\nالدفع: كاش عند "
            "الاستلام"),
        "checkout.summary_free": ("راجع طلبك:\n{lines}\nالمنتجات: {subtotal}\nالشحن ({governorate}): "
            "مجاني\nالإجمالي: {total}\n\nالاسم: {name}\nالموبايل: {phone}\nالعنوان: {address}\nالدفع: كاش عند "
            "الاستلام"),
        "checkout.confirm": "تأكيد ✅",
        "checkout.edit": "تعديل",
        "checkout.cancel": "إلغاء",
        "checkout.confirm_hint": "دوس «تأكيد» لو كله تمام، أو «تعديل» أو «إلغاء».",
        "checkout.changed": "طلبك اتغير من آخر مرة 🙏 راجعه تاني ودوس «تأكيد» لو كله تمام.",
        "checkout.edit_prompt": "تعدّل إيه؟",
        "checkout.edit.name": "الاسم",
        "checkout.edit.phone": "الموبايل",
        "checkout.edit.governorate": "المحافظة",
        "checkout.edit.address": "العنوان",
        "checkout.cancelled": "تمام، لغيت الطلب. السلة لسه محفوظة لو حبيت ترجعلها 🛒",
        "checkout.nothing": "مفيش طلب مفتوح دلوقتي.",
        "checkout.confirmed": ("طلبك اتأكد 🎉 رقم الطلب: {number}\nالإجمالي: {total} كاش عند الاستلام.\nهيوصلك خلال "
            "{days}. هنكلمك على {phone} قبل التوصيل. شكراً إنك اخترتنا 🌷"),
        "checkout.already": "طلبك متأكد خلاص ✅ رقمه {number}.",
        "checkout.stock_changed": "في حاجة اتغيرت في المخزن قبل التأكيد 🙏\n{lines}\nعدّلت السلة، راجعها وكمّل.",
        "checkout.stock_line_out": "{name}: خلصان، شلته",
        "checkout.stock_line_short": "{name}: المتاح {count} بس",
        "checkout.free_shipping": "مجاني",
        # orders
        "orders.ask": ("مفيش طلبات من المحادثة دي لسه. لو طلبت من رقم أو حساب تاني، ابعتلي رقم الطلب ومعاه رقم "
            "الموبايل اللي اتطلب بيه في رسالة واحدة، زي: {example}"),
        "orders.only_here": ("معلش، أقدر أوريك بس الطلبات اللي اتعملت من المحادثة دي 🙏 ابعتلي رقم الطلب ومعاه رقم "
            "الموبايل اللي اتطلب بيه في رسالة واحدة، زي: {example}"),
        "orders.no_match": ("البيانات دي مش ماشية مع بعض 🙏 اتأكد من رقم الطلب ورقم الموبايل اللي اتطلب بيه وابعتهم "
            "تاني في رسالة واحدة."),
        "orders.typo": ("رقم الطلب ده فيه حرف مش مظبوط 🙏 هو DK وبعدها ٦ حروف وأرقام، زي {sample}. اتأكد منه وابعته "
            "تاني."),
        "orders.limited": ("حاولنا كذا مرة والبيانات مش مظبوطة، فعلشان نحافظ على طلبات عملائنا وقفت البحث شوية 🙏 جرب "
            "تاني بعدين، أو تحب حد من الفريق يساعدك؟"),
        "orders.menu": "القايمة",
        "orders.line": "طلب {number}: {status} ({total}، {date})",
        "orders.title": "طلباتك:",
        "status.new": "اتسجل وهيتأكد قريب",
        "status.confirmed": "متأكد وبيتجهز",
        "status.shipped": "اتشحن وفي الطريق 🚚",
        "status.delivered": "اتسلم ✅",
        "status.cancelled": "اتلغى",
        "order_status.arrival": ("طلبك {number} حالته: {status}، وبيوصل خلال {days} من تأكيده. المندوب هيكلمك قبل ما "
            "يوصل 📦"),
        "order_status.arrival_delivered": "طلبك {number} اتسلم خلاص ✅ لو في أي حاجة قولي.",
        "order_status.arrival_cancelled": "طلبك {number} اتلغى، فمش هيتشحن. تحب تطلب تاني؟",
        # info
        "shipping.one": "الشحن لمحافظة {governorate} بـ {fee} وبيوصل في {days}.",
        "shipping.all": "أسعار الشحن:\n{lines}",
        "shipping.free": "الشحن مجاني للطلبات من {amount} وأكتر.",
        "shipping.ask": "قولي إنت في أنهي محافظة وأقولك السعر والمدة بالظبط.",
        "days.range": "{low} لـ {high} {unit}",
        "payment.title": "طرق الدفع عندنا:",
        "returns.title": "الاستبدال خلال {exchange} والاسترجاع خلال {returns} من الاستلام.",
        "sizes.suggest": "على حسب الجدول، المقاس المناسب ليك غالباً {size} 👌 لو بين مقاسين خد الأكبر.",
        "sizes.ask": "قولي طولك ووزنك (زي «طولي ١٧٥ ووزني ٨٠») وأنا أقولك المقاس المناسب.",
        "sizes.chart": "جدول المقاسات ({section}):\n{lines}",
        "sizes.row_weight": "{size}: وزن {low} لـ {high} كيلو",
        "sizes.row_height": "{size}: طول {low} لـ {high} سم",
        "sizes.row_measures": "{size}: {measures}",
        "sizes.measure_range": "{label} {low} لـ {high} {unit}",
        "sizes.measure_one": "{label} {value} {unit}",
        # hand-off
        "handoff.opened": "تمام، حوّلتك لحد من الفريق وهيرد عليك في أقرب وقت 🙏 (مواعيدنا: {hours})",
        "handoff.opened_short": "تمام، حوّلتك لحد من الفريق وهيرد عليك في أقرب وقت 🙏",
        "handoff.hours": "(مواعيدنا: {hours})",
        "handoff.after_hours": "تمام، حوّلتك لحد من الفريق 🙏 إحنا برّه مواعيد الشغل دلوقتي، فهيرد عليك {when}.",
        "handoff.back_at": "(الفريق هيرد عليك {when})",
        # placed orders: cancel and change (bot/dialog/placed.py)
        "order_cancel.none": "مفيش طلب مفتوح من المحادثة دي 🙂 لو حابب تطلب حاجة، اختار من تحت وأنا معاك.",
        "order_change.none": ("مفيش طلب مفتوح من المحادثة دي نقدر نعدّل فيه 🙂 لو حابب تطلب حاجة جديدة، اختار من تحت "
            "وأنا معاك."),
        "order_cancel.not_found": ("مش لاقي الطلب ده في الطلبات اللي اتعملت من المحادثة دي 🙏 لو طلبته من رقم أو حساب "
            "تاني، حد من الفريق هيساعدك."),
        "order_change.not_found": ("مش لاقي الطلب ده في الطلبات اللي اتعملت من المحادثة دي 🙏 لو طلبته من رقم أو حساب "
            "تاني، حد من الفريق هيساعدك."),
        "order_cancel.which_cancel": "عندك أكتر من طلب مفتوح، عايز تلغي أنهي واحد؟",
        "order_cancel.confirm_cancel": "متأكد إنك عايز تلغي طلب {number} ({total})؟",
        "order_cancel.yes_cancel": "أيوه، الغيه",
        "order_cancel.keep": "لا، خليه",
        "order_cancel.cancelled": "تمام، لغيت طلب {number} ✅ ولو حبيت تطلب تاني أنا موجود.",
        "order_cancel.kept": "تمام، طلبك زي ما هو 👌",
        "order_cancel.already_cancelled": "طلب {number} متلغي بالفعل.",
        "order_cancel.cancel_shipped": ("طلب {number} اتشحن خلاص، فمش هقدر ألغيه من هنا 🙏 بعت طلبك لحد من الفريق "
            "ومعاه رقم الطلب، وهيرد عليك هنا."),
        "order_cancel.cancel_moved_on": ("طلب {number} حالته اتغيرت لسه حالًا: {status}، فمش هقدر ألغيه من هنا 🙏 بعت "
            "طلب الإلغاء لحد من الفريق ومعاه الطلب، وهيرد عليك هنا."),
        "order_change.sent": ("تمام، بعت طلب التعديل على {number} لحد من الفريق ومعاه رسالتك. هيراجعه ويأكد معاك "
            "هنا، والطلب مش هيتغير غير لما يأكدلك 🙏"),
        "order_change.shipped": ("طلب {number} اتشحن خلاص فمش هينفع يتعدل دلوقتي 🙏 بس بعد ما يوصلك تقدر تستبدل خلال "
            "{days}. تحب تشوف سياسة الاستبدال والاسترجاع؟"),
        "order_change.cancelled": "طلب {number} متلغي، فمش محتاج تعديل. تحب تطلب من جديد؟",
        "order_change.returns": "سياسة الاسترجاع",
        # the shop itself (store_info)
        "store_info.intro": "دي بيانات {store} 👇",
        "store_info.hours": "مواعيدنا: {value}",
        "store_info.phone": "التليفون: {value}",
        "store_info.whatsapp": "واتساب: {value}",
        "store_info.email": "الإيميل: {value}",
        "store_info.website": "الموقع: {value}",
        "store_info.more": ("ولو بتسأل عن العنوان أو الفروع أو الجملة، فريقنا هيقولك التفاصيل على التليفون أو هنا في "
            "الشات 🙏"),
        "store_info.more_short": "ولو محتاج أي تفاصيل تانية، فريقنا تحت أمرك هنا في الشات 🙏",
        "store_info.address": "العنوان: {value}",
        "store_info.branches": "فروعنا:",
        "store_info.branch": "- {name}: {address}",
        "store_info.open_now": "إحنا فاتحين دلوقتي لحد {time} 👌",
        "store_info.closed_now": "إحنا قافلين دلوقتي، وهنفتح تاني {when}.",
        "when.today": "النهارده الساعة {time}",
        "when.tomorrow": "بكرة الساعة {time}",
        "when.day": "يوم {day} الساعة {time}",
        # stock alerts
        "alert.which": "عايزني أبلغك بأنهي منتج؟ افتحه الأول وبعدين اكتبلي «عرفني لما يرجع» 🔔",
        "alert.saved": ("تمام ✅ هبعتلك هنا أول ما {name}{options} يرجع 🔔 ولو رجع بعد أكتر من يوم من آخر رسالة ليك، "
            "هقولك أول ما تكلمنا تاني."),
        "alert.already": "إنت مسجل خلاص 👌 هبعتلك أول ما {name}{options} يرجع 🔔",
        "alert.in_stock": "خبر حلو: {name}{options} متاح دلوقتي 🎉 تحب أضيفه للسلة؟",
        "alert.no_size": "{name} مش بييجي مقاس {size} 🙏 المقاسات المتاحة فيه: {sizes}.",
        "alert.no_color": "{name} مش بييجي باللون ده 🙏 الألوان المتاحة فيه: {colors}.",
        "alert.back": "رجع تاني 🎉 {name}{options} بقى متاح، الحق اطلبه قبل ما يخلص!",
        "alert.back_many": "رجع تاني 🎉 الحاجات دي بقت متاحة، الحق اطلبها قبل ما تخلص!\n{lines}",
        "alert.more": "• وكمان {count} غيرهم",
        "alert.full": ("عندك {count} تنبيهات مستنية خلاص، ودي أقصى حاجة أقدر أسجلها 🙏 أول ما حاجة منهم ترجع وأبلغك، "
            "سجّل {name} تاني وأنا معاك."),
        # the way to start an order when nothing is chosen yet
        "start.order": "يلا بينا 🛍️ اختار القسم اللي يعجبك، أو اكتبلي بتدور على إيه (زي «تيشيرت اسود مقاس L»).",
    },
    "en": {
        "welcome": ("Welcome to {store} 👋 I'm the shop assistant: I can find any product, tell you prices and sizes, "
            "and place your order. What would you like to start with?"),
        "help": ("Just tell me what you're looking for, like “black t-shirt under 500” or “sneakers size 42”, or "
            "pick one below 👇"),
        "unknown": "Sorry, I didn't get that 🙏 Tell me the product, colour or size you're after, or pick one below.",
        "thanks": "You're welcome, happy to help any time 🌷",
        "goodbye": "Thanks for stopping by 🌷 See you soon!",
        "lang.set": "Sure, I'll talk to you in English from now on.",
        "menu.prompt": "What would you like to do?",
        "menu.button": "Menu",
        "menu.categories": "Categories",
        "menu.offers": "Offers",
        "menu.new": "New arrivals",
        "menu.best": "Best sellers",
        "menu.cart": "My cart",
        "menu.orders": "My orders",
        "menu.human": "Talk to a person",
        "menu.switch": "عربي",
        "search.prompt": ("What are you looking for? Tell me the product and a colour or size, like “grey hoodie "
            "large”."),
        "results.intro": "I found {count} 👇",
        "results.more_intro": "Here are some more 👇",
        "results.stale": ("Note: I'm showing my last copy of the catalogue, so prices and stock may have changed a "
            "little."),
        "results.button": "Products",
        "results.none": ("I couldn't find anything like that 😕 Try other words, or have a look at the categories and "
            "offers."),
        "results.none_filters": ("I couldn't find anything like that 😕 Shall I drop the filters and show you all "
            "{what}?"),
        "results.no_more": "That's everything I found. Looking for something else?",
        "results.sorted": "Here are the same products, sorted by price 👇",
        "results.expired": "That list is a bit old now. Tell me what you're looking for and I'll bring it up again.",
        "results.footer": "What next?",
        "choice.more": "More",
        "choice.cheapest": "Cheapest first",
        "choice.filters": "Filter",
        "choice.details": "Details",
        "choice.add": "Add to cart",
        "choice.site": "View on site",
        "choice.related": "Matches",
        "choice.all": "Clear filters",
        "filters.prompt": "Filter by what? Pick a colour, or type a size or a price like “size XL” or “under 500”.",
        "filters.any_color": "Any colour",
        "card.stock.in": "In stock",
        "card.stock.low": "Only {count} left",
        "card.stock.out": "Sold out",
        "card.reviews.none": "New",
        "details.price": "Price: {price}",
        "details.discount": "Price: {price} instead of {old} ({percent}% off)",
        "details.sizes": "Sizes: {sizes}",
        "details.colors": "Colours: {colors}",
        "details.rating": "Rating: {rating} of 5 ({count})",
        "details.stock.in": "In stock ✅",
        "details.stock.low": "Only {count} left ⚡",
        "details.stock.out": "Sold out right now ❌",
        "details.actions": "Would you like to add it to your cart?",
        "price.one": "{name}: {price}",
        "price.discount": "{name}: {price} instead of {old} ({percent}% off) 🔥",
        "price.out": "Sadly it's sold out right now.",
        "ref.which": "Which product do you mean? Pick one from the list or tell me its number, like “the second”.",
        "ref.missing": "I can't see a product number {ref} in your list. Pick one of those shown, or search again.",
        "ref.none": "There's no product on screen yet 🙂 Tell me what you're looking for and I'll find it.",
        "product.not_found": "That product isn't available any more. Shall I look for something similar?",
        "compare.need_two": "Send me at least two products to compare, like “compare the first and the second”.",
        "compare.intro": "Here's the comparison 👇",
        "compare.cheapest": "Cheapest: {name} ({price})",
        "compare.best_rated": "Best rated: {name} ({rating} of 5)",
        "compare.differs": "They differ in: {fields}",
        "compare.same": "Same: {fields}",
        "field.final_price": "price",
        "field.colors": "colours",
        "field.sizes": "sizes",
        "field.rating": "rating",
        "field.stock_quantity": "stock",
        "field.category": "section",
        "field.item": "type",
        "field.gender": "for",
        "field.discount_percent": "discount",
        "categories.prompt": "Here are our sections, pick one 👇",
        "recommend.best_sellers": "Our customers' favourites 👇",
        "recommend.new": "Just arrived 👇",
        "recommend.offers": "On sale right now 🔥",
        "recommend.related": "These go well with {name} 👇",
        "recommend.none": "Nothing to suggest right now, but you can browse the sections.",
        "recommend.similar": "That's all of those 👌 Here are similar ones you may like 👇",
        "store.down": "The shop isn't answering right now 🙏 Please try again in a minute, or talk to a person.",
        "payload.invalid": "That button is old or no longer works 🙏 Please pick from this menu.",
        "attachment.image": ("Got your picture 👌 I can't see images, though. Tell me the product name or describe it "
            "and I'll look for it."),
        "attachment.audio": "Got your voice message 👌 I can't listen to audio, though. Could you type it?",
        "attachment.sticker": "😊 Happy to help! Shall I find you something?",
        "attachment.video": "Got your video 👌 I can't watch videos, though. Could you type what you need?",
        "attachment.other": "Got your file 👌 I can't open it, though. Could you type what you need?",
        "location": "Thanks for the location 📍 You'll type the full address when we place your order.",
        "contacts": "Got the contact 👌 Write to me if you need anything from the shop.",
        "busy": "Something went wrong on my side 🙏 Please try again in a moment.",
        "cart.ask_size": "Pick a size for {name} 👇",
        "cart.ask_color": "Pick a colour for {name} 👇",
        "cart.bad_option": "That size or colour isn't available for {name}. Pick one below 👇",
        "cart.added": "Done ✅ Added {quantity} × {name}{options} to your cart. Cart total: {subtotal}",
        "cart.out": "Sorry, {name} is sold out right now 😕 Shall I show you similar items?",
        "cart.short": "Sorry, only {count} of {name} left. Take {count}?",
        "cart.all_in": "All of {name} in stock is already in your cart ({count}).",
        "cart.empty": "Your cart is empty 🛒 Tell me what you're looking for.",
        "cart.title": "Your cart 🛒",
        "cart.line": "{index}. {name}{options}: {quantity} × {price}",
        "cart.subtotal": "Total: {subtotal} (before shipping)",
        "cart.removed": "Removed {name} from your cart.",
        "cart.cleared": "Your cart is empty now.",
        "cart.qty_set": "You now have {quantity} of {name}.",
        "cart.not_in": "That item isn't in your cart.",
        "cart.which_remove": "Which one should I remove?",
        "cart.edit_prompt": "What would you like to change?",
        "choice.checkout": "Checkout",
        "choice.view_cart": "View cart",
        "choice.continue": "Keep shopping",
        "choice.edit_cart": "Edit cart",
        "choice.remove": "Remove {name}",
        "choice.plus": "+1 {name}",
        "choice.minus": "-1 {name}",
        "choice.clear": "Empty the cart",
        "choice.take": "Take {count}",
        "checkout.start": "Let's place your order, cash on delivery 💵 What's your full name?",
        "checkout.ask_name": "What's your full name?",
        "checkout.ask_name_again": "Back to your order: please type your full name 🙂",
        "checkout.ask_phone_again": "Back to your order: please send your mobile number 🙂",
        "checkout.ask_governorate_again": "Back to your order: which governorate do you live in? 👇",
        "checkout.ask_confirm_again": "Back to your order: check it and tap “Confirm” if all is well 👇",
        "checkout.stuck": "Still not quite right 🙏 Try once more, or let a teammate finish the order with you.",
        "checkout.stuck_governorate": ("I still can't find it 🙏 Pick your governorate from the list, or “Other” if "
            "it isn't there."),
        "checkout.aside": ("Let's finish your order first, then I'll help with anything else 🙏 To stop it, type "
            "“cancel”."),
        "checkout.aside_shipping": ("Shipping depends on your governorate; I'll tell you the exact fee and time when "
            "we get there 👌"),
        "checkout.aside_payment": "You pay cash on delivery 💵 to the courier when your order arrives.",
        "checkout.ask_address_again": "Please type your full address (area, street, building and flat).",
        "label.sizes": "Sizes",
        "label.colors": "Colours",
        "checkout.bad_name": "I need your name in letters only, like “Ahmed Mohamed” 🙏",
        "checkout.ask_phone": "Thanks, {name} 👌 What's your mobile number? (like 01012345678)",
        "checkout.bad_phone": ("That number doesn't look right 🙏 It should be an 11-digit Egyptian mobile starting "
            "with 010, 011, 012 or 015."),
        "checkout.own_number": "Use {phone}",
        "checkout.ask_governorate": "Which governorate do you live in? Pick or type it 👇",
        "checkout.bad_governorate": ("I couldn't find that governorate 🙏 Type it again, like “Giza” or “Alex”, or "
            "pick below."),
        "checkout.other_governorate": "Other",
        "checkout.ask_address": ("Shipping to {governorate} is {fee} and takes {days}. Please type your full address "
            "(area, street, building and flat)."),
        "checkout.ask_address_free": ("Shipping to {governorate} is free and takes {days}. Please type your full "
            "address (area, street, building and flat)."),
        "checkout.bad_address": "That address is a bit short 🙏 Please add the area, street and building number.",
        "checkout.summary": ("Please check your order:\n{lines}\nItems: {subtotal}\nShipping ({governorate}): "
            "{shipping}\nTotal: {total}\n\nName: {name}\nMobile: {phone}\nAddress: {address}\nPayment: cash on "
            "delivery"),
        "checkout.summary_free": ("Please check your order:\n{lines}\nItems: {subtotal}\nShipping ({governorate}): "
            "free\nTotal: {total}\n\nName: {name}\nMobile: {phone}\nAddress: {address}\nPayment: cash on delivery"),
        "checkout.confirm": "Confirm ✅",
        "checkout.edit": "Edit",
        "checkout.cancel": "Cancel",
        "checkout.confirm_hint": "Tap “Confirm” if all is well, or “Edit” or “Cancel”.",
        "checkout.changed": ("Your order changed since you last saw it 🙏 Please check it again and tap “Confirm” if "
            "all is well."),
        "checkout.edit_prompt": "What would you like to change?",
        "checkout.edit.name": "Name",
        "checkout.edit.phone": "Mobile",
        "checkout.edit.governorate": "Governorate",
        "checkout.edit.address": "Address",
        "checkout.cancelled": "OK, I cancelled the order. Your cart is still saved if you want to come back 🛒",
        "checkout.nothing": "There's no open order right now.",
        "checkout.confirmed": ("Your order is confirmed 🎉 Order number: {number}\nTotal: {total}, cash on "
            "delivery.\nIt will arrive within {days}. We'll call you on {phone} before delivery. Thank you for "
            "shopping with us 🌷"),
        "checkout.already": "Your order is already confirmed ✅ Its number is {number}.",
        "checkout.stock_changed": ("Some stock changed before you confirmed 🙏\n{lines}\nI updated your cart, please "
            "check it and continue."),
        "checkout.stock_line_out": "{name}: sold out, removed",
        "checkout.stock_line_short": "{name}: only {count} left",
        "checkout.free_shipping": "free",
        "orders.ask": ("There are no orders from this chat yet. If you ordered from another number or account, send "
            "me the order number together with the mobile number it was placed with, in one message, like: "
            "{example}"),
        "orders.only_here": ("Sorry, I can only show orders placed from this chat 🙏 Send me the order number "
            "together with the mobile number it was placed with, in one message, like: {example}"),
        "orders.no_match": ("Those details don't go together 🙏 Please check the order number and the mobile number "
            "it was placed with, and send them again in one message."),
        "orders.typo": ("That order number has a character that isn't right 🙏 It is DK and six letters and digits, "
            "like {sample}. Please check it and send it again."),
        "orders.limited": ("We've tried a few times and the details don't match, so to keep our customers' orders "
            "safe I've paused order checks for now 🙏 Please try again later, or would you like a teammate to help?"),
        "orders.menu": "Menu",
        "orders.line": "Order {number}: {status} ({total}, {date})",
        "orders.title": "Your orders:",
        "status.new": "received, to be confirmed soon",
        "status.confirmed": "confirmed and being prepared",
        "status.shipped": "shipped and on its way 🚚",
        "status.delivered": "delivered ✅",
        "status.cancelled": "cancelled",
        "order_status.arrival": ("Order {number} is {status}; it arrives within {days} of confirmation. The courier "
            "will call you before delivery 📦"),
        "order_status.arrival_delivered": "Order {number} has already been delivered ✅ Tell me if anything's wrong.",
        "order_status.arrival_cancelled": ("Order {number} was cancelled, so it won't ship. Would you like to order "
            "again?"),
        "shipping.one": "Shipping to {governorate} is {fee} and takes {days}.",
        "shipping.all": "Shipping fees:\n{lines}",
        "shipping.free": "Free shipping on orders of {amount} or more.",
        "shipping.ask": "Tell me your governorate and I'll give you the exact fee and time.",
        "days.range": "{low} to {high} {unit}",
        "payment.title": "Ways to pay:",
        "returns.title": "Exchange within {exchange} and returns within {returns} of delivery.",
        "sizes.suggest": "Going by our chart, {size} should fit you 👌 Between two sizes, take the larger one.",
        "sizes.ask": "Tell me your height and weight (like “175 cm, 80 kg”) and I'll suggest a size.",
        "sizes.chart": "Size chart ({section}):\n{lines}",
        "sizes.row_weight": "{size}: {low} to {high} kg",
        "sizes.row_height": "{size}: {low} to {high} cm tall",
        "sizes.row_measures": "{size}: {measures}",
        "sizes.measure_range": "{label} {low} to {high} {unit}",
        "sizes.measure_one": "{label} {value} {unit}",
        "handoff.opened": "Sure, a teammate will reply to you as soon as possible 🙏 (Our hours: {hours})",
        "handoff.opened_short": "Sure, a teammate will reply to you as soon as possible 🙏",
        "handoff.hours": "(Our hours: {hours})",
        "handoff.after_hours": ("Sure, a teammate will reply to you {when} 🙏 "
                                "We're outside our working hours right now."),
        "handoff.back_at": "(A teammate will reply {when}.)",
        "order_cancel.none": ("There's no open order from this chat 🙂 If you'd like to order something, pick below "
            "and I'll help."),
        "order_change.none": ("There's no open order from this chat to change 🙂 If you'd like to order something "
            "new, pick below and I'll help."),
        "order_cancel.not_found": ("I can't find that order among the ones placed from this chat 🙏 If you ordered "
            "from another number or account, a teammate can help."),
        "order_change.not_found": ("I can't find that order among the ones placed from this chat 🙏 If you ordered "
            "from another number or account, a teammate can help."),
        "order_cancel.which_cancel": "You have more than one open order. Which one would you like to cancel?",
        "order_cancel.confirm_cancel": "Are you sure you want to cancel order {number} ({total})?",
        "order_cancel.yes_cancel": "Yes, cancel it",
        "order_cancel.keep": "No, keep it",
        "order_cancel.cancelled": "Done, order {number} is cancelled ✅ I'm here whenever you'd like to order again.",
        "order_cancel.kept": "Great, your order stays as it is 👌",
        "order_cancel.already_cancelled": "Order {number} is already cancelled.",
        "order_cancel.cancel_shipped": ("Order {number} has already shipped, so I can't cancel it here 🙏 I've passed "
            "your request to a teammate with the order number; they'll reply to you here."),
        "order_cancel.cancel_moved_on": ("Order {number} was just updated to “{status}”, so I can't cancel it here "
            "any more 🙏 I've passed your cancel request to a teammate with the order; they'll reply to you here."),
        "order_change.sent": ("Done, I've sent the change for order {number} to a teammate together with your "
            "message. They'll check it and confirm with you here; nothing changes until they do 🙏"),
        "order_change.shipped": ("Order {number} has already shipped, so it can't be changed now 🙏 Once it arrives "
            "you can exchange it within {days}. Would you like to see our exchange and returns policy?"),
        "order_change.cancelled": ("Order {number} is cancelled, so there's nothing to change. Would you like to "
            "order again?"),
        "order_change.returns": "Returns policy",
        "store_info.intro": "Here's how to reach {store} 👇",
        "store_info.hours": "Hours: {value}",
        "store_info.phone": "Phone: {value}",
        "store_info.whatsapp": "WhatsApp: {value}",
        "store_info.email": "Email: {value}",
        "store_info.website": "Website: {value}",
        "store_info.more": ("For our address, branches or wholesale orders, our team will give you the details by "
            "phone or right here in the chat 🙏"),
        "store_info.more_short": "Need anything else? Our team is happy to help right here in the chat 🙏",
        "store_info.address": "Address: {value}",
        "store_info.branches": "Our branches:",
        "store_info.branch": "- {name}: {address}",
        "store_info.open_now": "We're open now, until {time} 👌",
        "store_info.closed_now": "We're closed right now; we open again {when}.",
        "when.today": "today at {time}",
        "when.tomorrow": "tomorrow at {time}",
        "when.day": "on {day} at {time}",
        "alert.which": "Which product should I tell you about? Open it first, then write “tell me when it's back” 🔔",
        "alert.saved": ("Done ✅ I'll message you here as soon as {name}{options} is back 🔔 If that's more than a day "
            "after your last message, I'll tell you the next time you write."),
        "alert.already": "You're already on the list 👌 I'll tell you as soon as {name}{options} is back 🔔",
        "alert.in_stock": "Good news: {name}{options} is available right now 🎉 Shall I add it to your cart?",
        "alert.no_size": "{name} doesn't come in size {size} 🙏 Its sizes are: {sizes}.",
        "alert.no_color": "{name} doesn't come in that colour 🙏 Its colours are: {colors}.",
        "alert.back": "It's back 🎉 {name}{options} is available again, grab it before it's gone!",
        "alert.back_many": "They're back 🎉 these are available again, grab them before they're gone!\n{lines}",
        "alert.more": "• and {count} more",
        "alert.full": ("You already have {count} alerts waiting, that's the most I can keep 🙏 As soon as one of them "
            "is back and I've told you, ask again for {name} and I'll note it."),
        "start.order": ("Let's get started 🛍️ Pick a section you like, or tell me what you're looking for (like "
            "“black t-shirt size L”)."),
    },
}

COLORS: dict[str, tuple[str, str]] = {
    "black": ("أسود", "Black"), "white": ("أبيض", "White"), "red": ("أحمر", "Red"),
    "blue": ("أزرق", "Blue"), "navy": ("كحلي", "Navy"), "light blue": ("لبني", "Light blue"),
    "green": ("أخضر", "Green"), "olive": ("زيتي", "Olive"), "grey": ("رمادي", "Grey"),
    "beige": ("بيج", "Beige"), "brown": ("بني", "Brown"), "burgundy": ("نبيتي", "Burgundy"),
    "purple": ("موف", "Purple"), "pink": ("بمبي", "Pink"), "yellow": ("أصفر", "Yellow"),
    "orange": ("برتقالي", "Orange"),
}

# Size-chart columns (``chest_cm``, ``weight_kg``...) by their name without the unit; others are shown as written.
MEASURES: dict[str, tuple[str, str]] = {
    "chest": ("صدر", "chest"), "waist": ("وسط", "waist"), "hip": ("ورك", "hips"), "hips": ("ورك", "hips"),
    "length": ("طول", "length"), "height": ("طول", "height"), "weight": ("وزن", "weight"),
    "foot_length": ("طول القدم", "foot"), "shoulder": ("كتف", "shoulder"), "sleeve": ("كم", "sleeve"),
    "inseam": ("طول الرجل", "inseam"), "age_years": ("سن", "age"), "eu": ("مقاس أوروبي", "EU"),
}
UNITS: dict[str, tuple[str, str]] = {"cm": ("سم", "cm"), "kg": ("كيلو", "kg"), "in": ("بوصة", "in"),
                                     "years": ("سنين", "years")}

CATEGORIES: dict[str, tuple[str, str]] = {
    "men": ("رجالي", "Men"), "women": ("حريمي", "Women"), "kids": ("أطفال", "Kids"),
    "shoes": ("أحذية", "Shoes"), "accessories": ("إكسسوارات", "Accessories"),
    "sportswear": ("ملابس رياضية", "Sportswear"),
}


# What is counted: Arabic (one, two, 3–10, 11 and more) and English (one, more) forms.
NOUNS: dict[str, dict[str, tuple[str, ...]]] = {
    "product": {"ar": ("منتج واحد", "منتجين", "منتجات", "منتج"), "en": ("product", "products")},
    "piece": {"ar": ("قطعة واحدة", "قطعتين", "قطع", "قطعة"), "en": ("piece", "pieces")},
    "review": {"ar": ("تقييم واحد", "تقييمين", "تقييمات", "تقييم"), "en": ("review", "reviews")},
    "day": {"ar": ("يوم واحد", "يومين", "أيام", "يوم"), "en": ("day", "days")},
    "working_day": {"ar": ("يوم شغل واحد", "يومين شغل", "أيام شغل", "يوم شغل"),
                    "en": ("working day", "working days")},
}


def t(lang: str, key: str, **values: object) -> str:
    """The text ``key`` in ``lang`` (Arabic when unknown), with ``values`` filled in."""
    table = TEXTS.get(lang, TEXTS["ar"])
    return table.get(key, TEXTS["ar"][key]).format(**values)


def number(lang: str, value: int | float) -> str:
    """A number as the customer reads it: Arabic-Indic digits in Arabic, Western in English."""
    text = f"{value:,}" if isinstance(value, int) else f"{value:g}"
    if lang == "en":
        return text
    return text.replace(",", "٬").replace(".", "٫").translate(AR_DIGITS)


def plural(lang: str, count: int, noun: str) -> str:
    """``count`` with ``noun`` in agreement, as Egyptians say it.

    Arabic: "منتج واحد", "منتجين", "٣ منتجات" … "١٠ منتجات", "١١ منتج", "١٥ منتج", "١٠٣ منتجات";
    English: "1 product", "3 products". ``noun`` is a key of :data:`NOUNS`.
    """
    if lang != "en" and count in (1, 2):
        return NOUNS[noun]["ar"][count - 1]
    return f"{number(lang, count)} {unit(lang, count, noun)}"


def unit(lang: str, count: int, noun: str) -> str:
    """The form of ``noun`` written after the number ``count``: "أيام" after ٣–١٠, "يوم" after ١١."""
    if lang == "en":
        return NOUNS[noun]["en"][0 if count == 1 else 1]
    return NOUNS[noun]["ar"][2 if 3 <= count % 100 <= 10 else 3]


def price(lang: str, amount: int | float) -> str:
    """The one price format: "١٬٢٩٩ ج.م" in Arabic, "1,299 EGP" in English."""
    value = int(round(amount))
    return f"{number(lang, value)} ج.م" if lang != "en" else f"{number(lang, value)} EGP"


def color(lang: str, key: str) -> str:
    """A canonical colour in the customer's language (unknown keys as given)."""
    names = COLORS.get(key)
    return (names[1] if lang == "en" else names[0]) if names else key


def category(lang: str, slug: str) -> str:
    """A store section's name in the customer's language."""
    names = CATEGORIES.get(slug)
    return (names[1] if lang == "en" else names[0]) if names else slug


def joined(lang: str, values: list[str]) -> str:
    """A list in running text: "أسود، أبيض" / "Black, White"."""
    return ("، " if lang != "en" else ", ").join(values)
