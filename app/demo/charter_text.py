"""Version 1 of the demo charter of rights and duties, in French, English and Arabic.

Inspired by the governance described in seed 003 (l.2607-2623): an assembly where
each member has one vote, a steering committee with ex-officio members, Solidarité
Laïque as guarantor, a horizontal partnership "of rights and duties shared by all"
whose charter was co-constructed by the partners.
"""
from __future__ import annotations

TITLES: dict[str, str] = {
    "fr": "Charte des droits et devoirs des membres du programme « Soyons Actifs/Actives »",
    "en": "Charter of rights and duties of the members of the “Soyons Actifs/Actives” programme",
    "ar": "ميثاق حقوق وواجبات أعضاء برنامج «لنكن فاعلين/فاعلات»",
}

TEXT_FR = """\
Préambule

Des organisations de la société civile et des collectivités territoriales de Tunisie et de France, certaines nées après la révolution de 2011, d'autres actives de longue date, ont choisi d'agir ensemble contre les inégalités d'accès aux droits : dans l'éducation, l'insertion socio-professionnelle et la démocratie participative. Cette charte, co-construite par les membres, dit les valeurs qu'ils partagent et les droits et devoirs de chacun. Chaque membre la signe par la voix de son délégué ou de sa déléguée.

Article 1 – Un partenariat horizontal
Les membres agissent sur un pied d'égalité. Aucun n'est le financeur ou le bénéficiaire d'un autre : chacun apporte ses savoirs, ses expériences et ses réseaux, et chacun apprend des autres.

Article 2 – Un membre, une voix
L'Assemblée plénière réunit tous les membres. Chaque membre y dispose d'une voix, exprimée par son délégué ou, en son absence, par un suppléant. Les décisions sont prises selon des règles adoptées par l'Assemblée et publiées à l'avance.

Article 3 – Équité entre les deux pays
Les sièges dans les instances, les temps de parole, les lieux de réunion et les ressources sont répartis équitablement entre membres tunisiens et français. Les documents de référence sont disponibles en arabe, en français et en anglais.

Article 4 – Co-construction
Les orientations, les défis communs, les règles de sélection et de financement des projets et les outils de suivi-évaluation sont élaborés ensemble. Le comité de pilotage propose ; l'Assemblée plénière décide.

Article 5 – Transparence
Les budgets, les décisions des instances, les critères de sélection et les résultats des votes sont accessibles à tous les membres. Chaque membre déclare ses conflits d'intérêts et ne prend pas part à une décision qui le concerne directement.

Article 6 – Droits des membres
Chaque membre a le droit d'être informé et consulté, de proposer des points à l'ordre du jour, de voter, d'être candidat au comité de pilotage, de présenter des projets et de participer aux formations et aux échanges du programme.

Article 7 – Devoirs des membres
Chaque membre s'engage à participer aux instances ou à s'y faire représenter, à tenir ses informations à jour et à désigner un délégué, à partager les résultats et les enseignements de ses actions, à rendre compte de l'usage des fonds reçus, et à respecter les personnes, leur diversité et l'égalité entre les femmes et les hommes.

Article 8 – Indépendance et laïcité
Le programme respecte l'indépendance de chaque membre. Ses espaces sont ouverts à toutes et à tous, sans distinction d'origine, de croyance, d'opinion ou de genre ; ils ne servent aucun intérêt partisan ou confessionnel.

Article 9 – Le garant et les membres de droit
Solidarité Laïque, porteur du programme, en est le garant et siège à ce titre au comité de pilotage. Les membres de droit (bailleurs de fonds, ministères) participent au comité de pilotage ; ils ne votent pas à l'Assemblée plénière.

Article 10 – Respect et révision de la charte
Un membre qui manque gravement à la charte peut être suspendu par l'Assemblée plénière, après avoir été entendu ; la suspension est motivée et datée, et prend fin lorsque ses motifs ont disparu. L'Assemblée plénière peut réviser la charte. Chaque nouvelle version est signée à nouveau par tous les membres ; seuls les membres actifs signataires de la version en vigueur prennent part aux votes.

Adoptée par l'Assemblée plénière le 15 mars 2025."""

TEXT_EN = """\
Preamble

Civil society organisations and local authorities from Tunisia and France, some born after the 2011 revolution, others long established, have chosen to act together against unequal access to rights: in education, in social and professional integration and in participatory democracy. This charter, co-constructed by the members, states the values they share and the rights and duties of each of them. Every member signs it through its delegate.

Article 1 – A horizontal partnership
Members act as equals. None is the funder or the beneficiary of another: each brings its knowledge, its experience and its networks, and each learns from the others.

Article 2 – One member, one vote
The Plenary Assembly brings all members together. Each member has one vote there, cast by its delegate or, in the delegate's absence, by an alternate. Decisions follow rules adopted by the Assembly and published in advance.

Article 3 – Equity between the two countries
Seats on the governing bodies, speaking time, meeting places and resources are shared fairly between Tunisian and French members. Reference documents are available in Arabic, French and English.

Article 4 – Co-construction
Orientations, shared challenges, the rules for selecting and funding projects and the monitoring and evaluation tools are drawn up together. The steering committee proposes; the Plenary Assembly decides.

Article 5 – Transparency
Budgets, decisions of the governing bodies, selection criteria and voting results are open to all members. Each member declares its conflicts of interest and takes no part in a decision that directly concerns it.

Article 6 – Rights of members
Each member has the right to be informed and consulted, to propose items for the agenda, to vote, to stand for the steering committee, to submit projects and to take part in the programme's training sessions and exchanges.

Article 7 – Duties of members
Each member undertakes to attend the governing bodies or be represented there, to keep its information up to date and appoint a delegate, to share the results and lessons of its actions, to account for the use of the funds it receives, and to respect people, their diversity and equality between women and men.

Article 8 – Independence and secularism (laïcité)
The programme respects the independence of each member. Its spaces are open to everyone, regardless of origin, belief, opinion or gender; they serve no partisan or religious interest.

Article 9 – The guarantor and the ex-officio members
Solidarité Laïque, which carries the programme, is its guarantor and sits on the steering committee in that capacity. The ex-officio members (funders, ministries) take part in the steering committee; they do not vote in the Plenary Assembly.

Article 10 – Compliance with and revision of the charter
A member that seriously breaches the charter may be suspended by the Plenary Assembly after being heard; the suspension states its reasons and its date, and ends when those reasons no longer apply. The Plenary Assembly may revise the charter. Every new version must be signed again by all members; only active members that have signed the version in force take part in votes.

Adopted by the Plenary Assembly on 15 March 2025."""

TEXT_AR = """\
ديباجة

اختارت منظمات من المجتمع المدني وجماعات محلية من تونس وفرنسا، نشأ بعضها بعد ثورة 2011 وينشط بعضها الآخر منذ زمن طويل، أن تعمل معًا ضد عدم المساواة في النفاذ إلى الحقوق: في التعليم، وفي الإدماج الاجتماعي والمهني، وفي الديمقراطية التشاركية. يحدّد هذا الميثاق، الذي بناه الأعضاء معًا، القيم التي يتقاسمونها وحقوق كل منهم وواجباته. ويوقّعه كل عضو عن طريق مندوبه أو مندوبته.

الفصل 1 – شراكة أفقية
يعمل الأعضاء على قدم المساواة. لا يكون أي عضو مموّلًا لعضو آخر ولا مستفيدًا منه: يقدّم كلٌّ منهم معارفه وتجاربه وشبكاته، ويتعلّم كلٌّ منهم من الآخرين.

الفصل 2 – لكل عضو صوت واحد
تضمّ الجلسة العامة جميع الأعضاء. لكل عضو فيها صوت واحد، يدلي به مندوبه أو، عند غيابه، أحد نوّابه. وتُتّخذ القرارات وفق قواعد تعتمدها الجلسة العامة وتُنشر مسبقًا.

الفصل 3 – الإنصاف بين البلدين
تُوزَّع المقاعد في الهيئات وأوقات الكلمة وأماكن الاجتماعات والموارد توزيعًا منصفًا بين الأعضاء التونسيين والفرنسيين. وتتوفّر الوثائق المرجعية باللغات العربية والفرنسية والإنجليزية.

الفصل 4 – البناء المشترك
تُعَدّ التوجّهات والتحديات المشتركة وقواعد اختيار المشاريع وتمويلها وأدوات المتابعة والتقييم بصورة جماعية. تقترح لجنة القيادة، وتقرّر الجلسة العامة.

الفصل 5 – الشفافية
تكون الميزانيات وقرارات الهيئات ومعايير الاختيار ونتائج التصويت في متناول جميع الأعضاء. ويصرّح كل عضو بما قد يكون لديه من تضارب في المصالح، ولا يشارك في أي قرار يعنيه مباشرة.

الفصل 6 – حقوق الأعضاء
لكل عضو الحق في الإعلام والاستشارة، وفي اقتراح نقاط في جدول الأعمال، وفي التصويت، وفي الترشّح لعضوية لجنة القيادة، وفي تقديم المشاريع، وفي المشاركة في الدورات التكوينية والتبادلات التي ينظّمها البرنامج.

الفصل 7 – واجبات الأعضاء
يلتزم كل عضو بحضور الهيئات أو بتفويض من يمثّله فيها، وبتحيين معطياته وتعيين مندوب عنه، وبتقاسم نتائج أنشطته والدروس المستخلصة منها، وبتقديم حساب عن استعمال الأموال التي يتلقّاها، وباحترام الأشخاص وتنوّعهم والمساواة بين النساء والرجال.

الفصل 8 – الاستقلالية واللائكية
يحترم البرنامج استقلالية كل عضو. فضاءاته مفتوحة للجميع دون تمييز على أساس الأصل أو المعتقد أو الرأي أو الجنس، ولا تخدم أي مصلحة حزبية أو دينية.

الفصل 9 – الضامن والأعضاء بحكم الصفة
جمعية التضامن اللائكي (Solidarité Laïque)، حاملة البرنامج، هي ضامنته، وتشارك بهذه الصفة في لجنة القيادة. ويشارك الأعضاء بحكم الصفة (الجهات المانحة والوزارات) في لجنة القيادة، ولا يصوّتون في الجلسة العامة.

الفصل 10 – احترام الميثاق ومراجعته
يمكن للجلسة العامة أن تعلّق عضوية كل عضو يُخلّ إخلالًا جسيمًا بهذا الميثاق، بعد الاستماع إليه؛ ويكون التعليق معلّلًا ومؤرّخًا، وينتهي بزوال أسبابه. ويمكن للجلسة العامة أن تراجع الميثاق. ويوقّع جميع الأعضاء كل نسخة جديدة من جديد، ولا يشارك في التصويت إلا الأعضاء النشطون الموقّعون على النسخة السارية.

اعتمدته الجلسة العامة في 15 مارس 2025."""

TEXTS: dict[str, str] = {"fr": TEXT_FR, "en": TEXT_EN, "ar": TEXT_AR}
