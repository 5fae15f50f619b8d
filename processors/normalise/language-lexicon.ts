/**
 * Word lists for the offline language identifier: frequent function words and a few frequent content words
 * of the campaigns' posts. Kazakh is listed once, in Cyrillic; its Latin (official and informal) and
 * Russian-keyboard spellings are matched through the canonical-tag skeleton.
 */

/** Kazakh, in standard Cyrillic spelling. */
export const KAZAKH_WORDS = `
мен сен ол біз сіз олар менің сенің оның біздің сіздің олардың маған саған оған бізге сізге оларға мені сені
оны бізді сізді оларды өз өзі өзім өзің өзіміз өздері және мен бен пен бұл осы сол мына анау мынау ана
емес жоқ бар үшін деп деген дейді ғой ғана тек керек тағы енді бүгін ертең кеше қазір әлі өте бір екі үш
барлық барлығы бәрі бәріміз көп аз немесе сияқты туралы арқылы кейін дейін бірақ себебі сондықтан егер
қалай неге кім қайда қашан қандай ешкім ештеңе әрбір бүкіл арасында бойынша қарсы шын шынымен рас иә
әйел әйелдер әйелдің қыз қыздар қызы ер жігіт бала балалар әке адам адамдар халық ел елі еліміз елім
қазақ қазақтар қазақша қазақстан жер үй жұмыс жұмыста заң құқық құқығы құқығымыз сот үкімет әкім әкімдік
рахмет сәлем жақсы жаман үлкен кіші жаңа ескі ұят ұятсыз көктем көктемі серуен оян ояндым ояну
болды болады болып болса болсын болмайды берді келді кетті айтты жазды жазып айту білмеймін білемін біледі
қорлау қорлады тоқтату тоқта бірге біргеміз бірлік тәуелсіздік бостандық шындық әділет әділдік
`;

/**
 * Kazakh particles (ма/ме, да/де...) are matched in Cyrillic only: in Latin script they are as likely
 * English "me", "be" or Romance "de", "te".
 */
export const KAZAKH_CYRILLIC_ONLY_WORDS = `ма ме ба бе па пе да де та те ше ғой`;

export const RUSSIAN_WORDS = `
и в во не на я что с со он а как это по но к у из за ты же все всё так его то для мы вы от бы было она
они о об да нет ещё еще уже или если только когда надо тебя себя себе тебе мне меня нас вас них им ему ей
её ее их будет есть был была были быть этот эти эта это этого этой этом тот та те того потом чтобы
который которая которые которых можно нужно нельзя тоже даже ли ни при про до без под над после через
между сама сам сами само такой такая такие таких какой какая какие кто чем чего почему зачем много мало
всех всем всего всегда никогда ничего кого свой своё свою свои своих своей наш наша наши ваш ваша мой моя
мои твой твоя хочет хочу хватит спасибо пишет пишут говорит знаю знает думаю может могут должна должен
вообще тогда сейчас здесь там тут вот где куда лучше больше меньше очень просто сегодня теперь опять снова
женщина женщины женщин девушки девушка люди человек дома год году лет раз блин ну пусть давайте
`;

export const ENGLISH_WORDS = `
the a an and or but if of to in on at by for from with about as into over after before under between
is are was were be been being am do does did done have has had having will would can could should may
might must shall not no yes i me my mine we us our you your he him his she her it its they them their
this that these those there here what which who whom whose when where why how all any some every each
more most much many few other another such only just also very so too than then now today again still
up down out off one two first new get got go going went make made say said know think see want need
let let's don't doesn't didn't can't won't isn't aren't wasn't i'm it's she's he's that's we're they're
you're i've we've people women woman men girls girl thanks thank please stop never always nobody someone
everyone anything nothing because while though like well good bad right free speak speaking years day
`;

/** Function words of languages the identifier must call `other`, in Latin script (tr, uz, de, fr, es, it, pt, id, pl). */
export const OTHER_LATIN_WORDS = `
ve ile için değil çok ama gibi daha olarak kadar şey sonra kendi ben onlar bunu şimdi bugün hiç evet hayır
bu teşekkürler kadın kadınlar erkek olan oldu benim senin bizim yok var
va bilan uchun emas bor yo'q yoʻq ham edi juda o'z oʻz kerak hamma lekin yoki bo'lib bo'ldi boʻldi xotin
ayollar xalq salom rahmat o'zbekiston oʻzbekiston
und der die das nicht ist ich sie es ein eine mit auf für von zu den dem auch sich wir ihr aber wie noch
nur oder danke
le la les et est un une des du je tu il elle nous vous pas pour dans sur avec qui que ce cette sont mais merci beaucoup bonjour
el los las y es en una por para con se lo su más pero como está yo muy del al gracias hola
il di che è per non sono gli della grazie
não é os um uma com você eu isso obrigado obrigada
dan yang di ini itu tidak saya kami untuk dengan ada akan
się jest że nie na jak ale tak być
`;

/** Function words of Cyrillic-script languages the identifier must call `other` (uk, ky, uz, tt). */
export const OTHER_CYRILLIC_WORDS = `
що це як та він вона вони мені тобі дуже ще вже був була буде немає бути цей які який яка коли тому
також тільки або але ми ви
үчүн эмес менен жана кыргыз кыргызстан болот
ва билан учун ҳам эмас йўқ жуда ўз
белән өчен түгел һәм
`;
