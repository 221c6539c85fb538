// i18n.js: the interface's words in English and Russian. t(key, ...args)
// fills {0}, {1}... with args. A key missing from the current language is
// recorded in window.refugeMissing (the browser tests check it stays empty).

const en = {
  app: 'refuge', skip: 'Skip to content', nav: 'Main', dashboard: 'Dashboard', cases: 'Cases',
  persons: 'Persons', sources: 'Sources', risks: 'Risks', organizations: 'Organizations',
  import: 'Import', admin: 'Administration', search: 'Search', search_label: 'Search persons, cases and text',
  language: 'Language', sign_out: 'Sign out', signed_in_as: 'Signed in as {0} ({1})',
  lang_not_saved: 'The language could not be saved for your account: {0}',
  sign_in: 'Sign in', username: 'User name', password: 'Password', sign_in_failed: 'Sign-in failed: {0}',
  session_ended: 'Your session has ended. Sign in again: what you typed has been kept.',
  locked_title: 'The database is locked',
  locked_explain: 'Its key was erased from the server\'s memory, after a time without use or because someone locked it. Enter a passphrase of the database (or its recovery code) to unlock it. You stay signed in.',
  passphrase: 'Passphrase', unlock: 'Unlock', unlock_failed: 'Not unlocked: {0}',
  lock_now: 'Lock', lock_hint: 'Erase the database key from the server\'s memory now; a passphrase unlocks it again',
  loading: 'Loading…', error: 'Error: {0}', not_found: 'Not found.', none: 'None.',
  open_cases: 'Open cases by their most severe finding', deadlines: 'Upcoming deadlines',
  recent: 'Recently changed cases', no_findings: 'no findings', findings_n: '{0} findings',
  showing_of: 'Showing {0} of {1}.', changed_at: 'changed {0}', until: 'until {0}',
  case: 'Case', summary: 'Summary', state: 'State of refuge', opened: 'Opened', status: 'Status',
  tags: 'Tags', subjects: 'Subjects', names: 'Names', timeline: 'Timeline', findings: 'Current findings',
  history: 'History of findings', actions: 'Actions taken', outcome: 'Outcome', basis: 'Legal basis',
  facts: 'Facts relied on', missing: 'Missing facts', record: 'Record this', go_to_event: 'Show event {0}',
  edit: 'Edit', delete: 'Delete', add_event: 'Add event', add_action: 'Add action', new_case: 'New case',
  new_person: 'New person', new_source: 'New source', new_risk: 'New risk', new_organization: 'New organization',
  statement: 'Statement', export: 'Export (download)', export_all: 'Export everything (download)',
  about: 'about {0}', undated: 'undated', approx_short: 'approximate', from_to: '{0} to {1}',
  person: 'Person', profile: 'Profile', appears_in: 'Cases', events_of: 'Events',
  sex: 'Sex', birth_date: 'Born', nationality: 'Nationality', ethnicity: 'Ethnicity', religion: 'Religion',
  origin: 'Origin', profiles: 'Profiles', sensitive: 'Sensitive', script: 'Script', lang: 'Language of the name',
  kind: 'Kind', name_full: 'Full name', add_name: 'Add a name', remove: 'Remove',
  save: 'Save', cancel: 'Cancel', saved: 'Saved.', deleted: 'Deleted.', confirm_delete: 'Delete {0}? This cannot be undone.',
  form_errors: 'The form has {0} problem(s):', draft_restored: 'Unsaved input was restored.',
  yes: 'yes', no: 'no', unknown: 'unknown', id: 'Identifier', type: 'Type', date: 'Date', approx: 'Approximate date',
  date_hint: 'A year (2019), a month (2019-10) or a day (2019-10-06).', bad_date: 'Write a year (2019), a month (2019-10) or a day (2019-10-06).',
  list_hint: 'Identifiers, separated by commas.', end_date: 'End date', place: 'Place', persons_ids: 'Persons', by: 'Acting organization',
  official: 'Acting official', description: 'Description', sources_ids: 'Sources', from_country: 'From country',
  to_country: 'To country', by_country: 'Requesting state', irregular: 'Irregular', presented_to_authorities: 'Presented themselves to the authorities',
  presented_on: 'Presented on', ev_outcome: 'Decision', final: 'Final', appeal_until: 'Appeal until',
  offence: 'Offence', law: 'Law', sentence: 'Sentence', entry_related: 'For irregular entry or stay',
  mode: 'Mode', provided: 'Lawyer provided', to: 'Access refused to', alleged: 'Alleged', asylum_state: 'State applied to',
  title: 'Title', publisher: 'Publisher', url: 'Address (URL)', reliability: 'Reliability', credibility: 'Credibility',
  country: 'Country', region: 'Region', harms: 'Harms', from: 'From', to_date: 'To', case_id: 'Case',
  targets: 'Targets', demands: 'Demands', subjects_ids: 'Subjects', name: 'Name', parent: 'Parent organization',
  new_obj: 'New {0}', edit_obj: 'Edit {0}', kind_sources: 'source', kind_persons: 'person', kind_organizations: 'organization',
  kind_cases: 'case', kind_events: 'event', kind_risks: 'risk', kind_actions: 'action',
  import_title: 'Import a bundle', import_file: 'Bundle file (JSON)', import_text: 'Or paste the bundle here',
  import_do: 'Import', import_ok: 'Imported: {0} new, {1} updated, {2} unchanged.', import_failed: 'Nothing was imported. {0} problem(s):',
  import_empty: 'Choose a file or paste a bundle.', value: '— value', in_object: '— in', not_json: 'This is not JSON: {0}',
  statement_title: 'Statement for {0}', st_kind: 'Kind of document', st_lang: 'Language of the document',
  st_format: 'Preview format', preview: 'Preview', download_html: 'Download as HTML',
  public_statement: 'Public statement', urgent_action: 'Urgent action', appeal: 'Appeal',
  users: 'Users', add_user: 'Add a user', disable: 'Disable', confirm_disable: 'Disable the account {0}? Its sessions end at once.', role: 'Role', disabled: 'Disabled', created: 'Created',
  assignment: 'Case assignment', assign: 'Assign', unassign: 'Unassign', assigned_to: 'Assigned to', user: 'User',
  audit: 'Audit trail', time: 'Time', action_col: 'Action', object: 'Object', detail: 'Detail', address: 'Address',
  results_for: 'Results for “{0}”', no_results: 'Nothing found.', score: 'score {0}',
  rule: 'Rule', severity: 'Severity', period: 'Period', since: 'since {0}', ended: 'ended {0}',
  first_seen: 'First seen', last_seen: 'Last seen', still_holds: 'still holds', no_history: 'No recorded history yet.',
  list_of: '{0}', more: 'Next page', id_taken: 'New identifier', open: 'Open',
  sev_critical: 'critical', sev_high: 'high', sev_medium: 'medium', sev_info: 'info',
  st_established: 'established', st_incomplete: 'incomplete',
  cs_open: 'open', cs_monitoring: 'monitoring', cs_closed: 'closed',
  role_admin: 'administrator', role_coordinator: 'coordinator', role_researcher: 'researcher', role_viewer: 'viewer',
  'ev_flight': 'flight', 'ev_border_crossing': 'border crossing', 'ev_asylum_application': 'asylum application',
  'ev_asylum_decision': 'asylum decision', 'ev_arrest': 'arrest', 'ev_detention': 'detention', 'ev_release': 'release',
  'ev_charge': 'charge', 'ev_conviction': 'conviction', 'ev_acquittal': 'acquittal',
  'ev_removal_announced': 'removal announced', 'ev_removal_requested': 'removal requested',
  'ev_removal_ordered': 'removal ordered', 'ev_removal_cancelled': 'removal cancelled', 'ev_removal': 'removal',
  'ev_legal_assistance': 'legal assistance', 'ev_access_denied': 'access denied', 'ev_ill_treatment': 'ill-treatment',
  'ev_unhcr': 'UNHCR', 'ev_other': 'other',
  'rule_refoulement-risk': 'Risk of refoulement', 'rule_refoulement': 'Refoulement',
  'rule_penalisation-for-entry': 'Penalised for irregular entry', 'rule_detention-of-asylum-seeker': 'Asylum-seeker in detention',
  'rule_no-legal-assistance': 'No legal assistance', 'rule_no-access-to-asylum': 'No access to asylum',
  'rule_appeal-deadline': 'Appeal deadline near', 'rule_data-conflict': 'Events contradict each other',
  fact_planned_removal: 'a removal is planned', fact_removal_done: 'a removal was carried out',
  fact_risk_in_destination: 'a documented risk in the destination', fact_asylum_seeker: 'they sought asylum',
  fact_entry_charge: 'a charge for irregular entry', fact_in_detention: 'they are in detention',
  fact_came_directly: 'they came directly from where they were at risk',
  fact_presented_without_delay: 'they presented themselves to the authorities without delay',
  fact_lawyer_access_denied: 'access to a lawyer was denied', fact_asylum_access_denied: 'access to asylum was denied',
  fact_deadline_near: 'a deadline is near',
  v_report: 'report', v_testimony: 'testimony', v_news: 'news', v_official_statement: 'official statement',
  v_court_document: 'court document', v_other: 'other', v_primary: 'primary', v_native: 'native', v_alias: 'alias',
  v_transliteration: 'transliteration', v_former: 'former', v_state_authority: 'state authority', v_court: 'court',
  v_police: 'police', v_ngo: 'NGO', v_un_agency: 'UN agency', v_recognised: 'recognised',
  v_complementary: 'complementary protection', v_refused: 'refused', v_inadmissible: 'inadmissible',
  v_withdrawn: 'withdrawn', v_deportation: 'deportation', v_extradition: 'extradition', v_handover: 'handover',
  v_asylum_procedure: 'the asylum procedure', v_lawyer: 'a lawyer', v_unhcr: 'UNHCR', v_family: 'family',
  v_consular: 'consular officials', v_public_statement: 'public statement', v_urgent_action: 'urgent action',
  v_appeal: 'appeal', v_letter: 'letter', v_meeting: 'meeting', v_litigation: 'litigation', v_pretrial: 'pre-trial',
  v_immigration: 'immigration', v_administrative: 'administrative', v_camp: 'camp', v_torture: 'torture',
  v_beating: 'beating', v_arbitrary_detention: 'arbitrary detention',
  v_enforced_disappearance: 'enforced disappearance', v_forced_indoctrination: 'forced indoctrination',
  v_registered: 'registered', v_mandate_refugee: 'mandate refugee', v_no_return: 'no return', v_release: 'release',
  v_stop_prosecution: 'stop the prosecution', v_asylum_access: 'access to asylum',
  v_legal_assistance: 'legal assistance', v_investigate: 'investigate', v_monitor: 'monitor',
};

const ru = {
  app: 'refuge', skip: 'Перейти к содержанию', nav: 'Главное меню', dashboard: 'Обзор', cases: 'Дела',
  persons: 'Люди', sources: 'Источники', risks: 'Риски', organizations: 'Организации',
  import: 'Импорт', admin: 'Администрирование', search: 'Найти', search_label: 'Поиск людей, дел и текста',
  language: 'Язык', sign_out: 'Выйти', signed_in_as: 'Вы вошли как {0} ({1})',
  lang_not_saved: 'Не удалось сохранить язык для вашей учётной записи: {0}',
  sign_in: 'Войти', username: 'Имя пользователя', password: 'Пароль', sign_in_failed: 'Не удалось войти: {0}',
  session_ended: 'Сеанс завершён. Войдите снова: введённые данные сохранены.',
  locked_title: 'База данных заблокирована',
  locked_explain: 'Её ключ стёрт из памяти сервера: после простоя или потому, что кто-то её заблокировал. Введите парольную фразу базы данных (или код восстановления), чтобы разблокировать её. Вы остаётесь в системе.',
  passphrase: 'Парольная фраза', unlock: 'Разблокировать', unlock_failed: 'Не разблокировано: {0}',
  lock_now: 'Заблокировать', lock_hint: 'Стереть ключ базы данных из памяти сервера сейчас; парольная фраза разблокирует её снова',
  loading: 'Загрузка…', error: 'Ошибка: {0}', not_found: 'Не найдено.', none: 'Нет.',
  open_cases: 'Открытые дела по самому серьёзному выводу', deadlines: 'Ближайшие сроки',
  recent: 'Недавно изменённые дела', no_findings: 'выводов нет', findings_n: 'выводов: {0}',
  showing_of: 'Показано {0} из {1}.', changed_at: 'изменено {0}', until: 'до {0}',
  case: 'Дело', summary: 'Краткое описание', state: 'Государство убежища', opened: 'Открыто', status: 'Статус',
  tags: 'Метки', subjects: 'Подзащитные', names: 'Имена', timeline: 'Хронология', findings: 'Текущие выводы',
  history: 'История выводов', actions: 'Предпринятые действия', outcome: 'Результат', basis: 'Правовое основание',
  facts: 'Факты, на которых основан вывод', missing: 'Недостающие факты', record: 'Записать', go_to_event: 'Показать событие {0}',
  edit: 'Изменить', delete: 'Удалить', add_event: 'Добавить событие', add_action: 'Добавить действие', new_case: 'Новое дело',
  new_person: 'Новый человек', new_source: 'Новый источник', new_risk: 'Новый риск', new_organization: 'Новая организация',
  statement: 'Заявление', export: 'Экспорт (скачать)', export_all: 'Экспортировать всё (скачать)',
  about: 'около {0}', undated: 'без даты', approx_short: 'приблизительно', from_to: 'с {0} по {1}',
  person: 'Человек', profile: 'Сведения', appears_in: 'Дела', events_of: 'События',
  sex: 'Пол', birth_date: 'Дата рождения', nationality: 'Гражданство', ethnicity: 'Национальность', religion: 'Религия',
  origin: 'Происхождение', profiles: 'Профили', sensitive: 'Конфиденциально', script: 'Письменность', lang: 'Язык имени',
  kind: 'Вид', name_full: 'Полное имя', add_name: 'Добавить имя', remove: 'Убрать',
  save: 'Сохранить', cancel: 'Отмена', saved: 'Сохранено.', deleted: 'Удалено.', confirm_delete: 'Удалить {0}? Это нельзя отменить.',
  form_errors: 'В форме ошибок: {0}.', draft_restored: 'Несохранённые данные восстановлены.',
  yes: 'да', no: 'нет', unknown: 'неизвестно', id: 'Идентификатор', type: 'Тип', date: 'Дата', approx: 'Дата приблизительная',
  date_hint: 'Год (2019), месяц (2019-10) или день (2019-10-06).', bad_date: 'Укажите год (2019), месяц (2019-10) или день (2019-10-06).',
  list_hint: 'Идентификаторы через запятую.', end_date: 'Дата окончания', place: 'Место', persons_ids: 'Люди', by: 'Действующая организация',
  official: 'Должностное лицо', description: 'Описание', sources_ids: 'Источники', from_country: 'Из страны',
  to_country: 'В страну', by_country: 'Запрашивающее государство', irregular: 'Нелегально', presented_to_authorities: 'Сами явились к властям',
  presented_on: 'Дата явки', ev_outcome: 'Решение', final: 'Окончательное', appeal_until: 'Обжаловать до',
  offence: 'Правонарушение', law: 'Закон', sentence: 'Приговор', entry_related: 'За незаконный въезд или пребывание',
  mode: 'Способ', provided: 'Адвокат предоставлен', to: 'В доступе отказано к', alleged: 'Со слов', asylum_state: 'Государство, куда подано',
  title: 'Название', publisher: 'Издатель', url: 'Адрес (URL)', reliability: 'Надёжность', credibility: 'Достоверность',
  country: 'Страна', region: 'Регион', harms: 'Угрозы', from: 'С', to_date: 'По', case_id: 'Дело',
  targets: 'Адресаты', demands: 'Требования', subjects_ids: 'Подзащитные', name: 'Название', parent: 'Вышестоящая организация',
  new_obj: 'Создать: {0}', edit_obj: 'Изменить: {0}', kind_sources: 'источник', kind_persons: 'человек', kind_organizations: 'организация',
  kind_cases: 'дело', kind_events: 'событие', kind_risks: 'риск', kind_actions: 'действие',
  import_title: 'Импорт пакета', import_file: 'Файл пакета (JSON)', import_text: 'Или вставьте пакет сюда',
  import_do: 'Импортировать', import_ok: 'Импортировано: новых {0}, изменённых {1}, без изменений {2}.', import_failed: 'Ничего не импортировано. Ошибок: {0}:',
  import_empty: 'Выберите файл или вставьте пакет.', value: '— значение', in_object: '— в объекте', not_json: 'Это не JSON: {0}',
  statement_title: 'Заявление по делу {0}', st_kind: 'Вид документа', st_lang: 'Язык документа',
  st_format: 'Формат просмотра', preview: 'Просмотр', download_html: 'Скачать в HTML',
  public_statement: 'Публичное заявление', urgent_action: 'Срочная акция', appeal: 'Обращение',
  users: 'Пользователи', add_user: 'Добавить пользователя', disable: 'Отключить', confirm_disable: 'Отключить учётную запись {0}? Её сеансы сразу завершатся.', role: 'Роль', disabled: 'Отключён', created: 'Создан',
  assignment: 'Назначение дел', assign: 'Назначить', unassign: 'Снять', assigned_to: 'Назначено', user: 'Пользователь',
  audit: 'Журнал аудита', time: 'Время', action_col: 'Действие', object: 'Объект', detail: 'Подробности', address: 'Адрес',
  results_for: 'Найдено по запросу «{0}»', no_results: 'Ничего не найдено.', score: 'оценка {0}',
  rule: 'Правило', severity: 'Серьёзность', period: 'Период', since: 'с {0}', ended: 'окончено {0}',
  first_seen: 'Впервые', last_seen: 'Последний раз', still_holds: 'в силе', no_history: 'История пока не записана.',
  list_of: '{0}', more: 'Следующая страница', id_taken: 'Новый идентификатор', open: 'Открыть',
  sev_critical: 'критический', sev_high: 'высокий', sev_medium: 'средний', sev_info: 'к сведению',
  st_established: 'установлено', st_incomplete: 'не хватает фактов',
  cs_open: 'открыто', cs_monitoring: 'наблюдение', cs_closed: 'закрыто',
  role_admin: 'администратор', role_coordinator: 'координатор', role_researcher: 'исследователь', role_viewer: 'читатель',
  'ev_flight': 'бегство', 'ev_border_crossing': 'пересечение границы', 'ev_asylum_application': 'просьба об убежище',
  'ev_asylum_decision': 'решение по убежищу', 'ev_arrest': 'арест', 'ev_detention': 'содержание под стражей', 'ev_release': 'освобождение',
  'ev_charge': 'обвинение', 'ev_conviction': 'осуждение', 'ev_acquittal': 'оправдание',
  'ev_removal_announced': 'объявлено о выдворении', 'ev_removal_requested': 'запрошено выдворение',
  'ev_removal_ordered': 'решение о выдворении', 'ev_removal_cancelled': 'выдворение отменено', 'ev_removal': 'выдворение',
  'ev_legal_assistance': 'юридическая помощь', 'ev_access_denied': 'отказ в доступе', 'ev_ill_treatment': 'жестокое обращение',
  'ev_unhcr': 'УВКБ ООН', 'ev_other': 'другое',
  'rule_refoulement-risk': 'Угроза принудительного возвращения', 'rule_refoulement': 'Принудительное возвращение',
  'rule_penalisation-for-entry': 'Наказание за незаконный въезд', 'rule_detention-of-asylum-seeker': 'Просящий убежища под стражей',
  'rule_no-legal-assistance': 'Нет юридической помощи', 'rule_no-access-to-asylum': 'Нет доступа к убежищу',
  'rule_appeal-deadline': 'Скоро истекает срок обжалования', 'rule_data-conflict': 'События противоречат друг другу',
  fact_planned_removal: 'планируется выдворение', fact_removal_done: 'выдворение состоялось',
  fact_risk_in_destination: 'задокументированный риск в стране назначения', fact_asylum_seeker: 'человек просил убежища',
  fact_entry_charge: 'обвинение в незаконном въезде', fact_in_detention: 'человек под стражей',
  fact_came_directly: 'прибыл непосредственно оттуда, где ему грозила опасность',
  fact_presented_without_delay: 'сам без промедления явился к властям',
  fact_lawyer_access_denied: 'отказано в доступе к адвокату', fact_asylum_access_denied: 'отказано в доступе к убежищу',
  fact_deadline_near: 'приближается срок',
  v_report: 'доклад', v_testimony: 'свидетельство', v_news: 'новости', v_official_statement: 'официальное заявление',
  v_court_document: 'судебный документ', v_other: 'другое', v_primary: 'основное', v_native: 'на родном языке',
  v_alias: 'псевдоним', v_transliteration: 'транслитерация', v_former: 'прежнее',
  v_state_authority: 'государственный орган', v_court: 'суд', v_police: 'полиция', v_ngo: 'НКО',
  v_un_agency: 'агентство ООН', v_recognised: 'признан беженцем', v_complementary: 'дополнительная защита',
  v_refused: 'отказ', v_inadmissible: 'неприемлемо', v_withdrawn: 'отозвано', v_deportation: 'депортация',
  v_extradition: 'экстрадиция', v_handover: 'передача', v_asylum_procedure: 'процедуре убежища', v_lawyer: 'адвокату',
  v_unhcr: 'УВКБ ООН', v_family: 'семье', v_consular: 'консулу', v_public_statement: 'публичное заявление',
  v_urgent_action: 'срочная акция', v_appeal: 'обращение', v_letter: 'письмо', v_meeting: 'встреча',
  v_litigation: 'судебный процесс', v_pretrial: 'досудебное', v_immigration: 'иммиграционное',
  v_administrative: 'административное', v_camp: 'лагерь', v_torture: 'пытки', v_beating: 'избиение',
  v_arbitrary_detention: 'произвольное задержание', v_enforced_disappearance: 'насильственное исчезновение',
  v_forced_indoctrination: 'принудительная идеологическая обработка', v_registered: 'зарегистрирован',
  v_mandate_refugee: 'мандатный беженец', v_no_return: 'не возвращать', v_release: 'освободить',
  v_stop_prosecution: 'прекратить преследование', v_asylum_access: 'доступ к убежищу',
  v_legal_assistance: 'юридическая помощь', v_investigate: 'расследовать', v_monitor: 'наблюдать',
};

export const dictionaries = { en, ru };
let current = 'en';
window.refugeMissing = window.refugeMissing || [];

export function setLang(lang) {
  current = dictionaries[lang] ? lang : 'en';
  document.documentElement.lang = current;
}

export function lang() {
  return current;
}

export function t(key, ...args) {
  let s = dictionaries[current][key];
  if (s === undefined) {
    window.refugeMissing.push(current + ':' + key);
    s = en[key] ?? key;
  }
  return s.replace(/\{(\d)\}/g, (_, i) => String(args[Number(i)] ?? ''));
}

// A label for a vocabulary code, or the code itself when there is none.
export function term(prefix, code) {
  const s = dictionaries[current][prefix + code];
  return s === undefined ? String(code).replaceAll('_', ' ') : s;
}

// A bundle date ("2019", "2019-10", "2019-10-06") in words.
export function fmtDate(d, approx) {
  if (!d) return t('undated');
  const [y, m, day] = d.split('-').map(Number);
  const loc = current === 'ru' ? 'ru-RU' : 'en-GB';
  let s = String(y);
  if (m && day) {
    s = new Intl.DateTimeFormat(loc, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' })
      .format(Date.UTC(y, m - 1, day));
  } else if (m) {
    s = new Intl.DateTimeFormat(loc, { year: 'numeric', month: 'long', timeZone: 'UTC' })
      .format(Date.UTC(y, m - 1, 1));
  }
  return approx ? t('about', s) : s;
}

export function fmtTime(iso) {
  const loc = current === 'ru' ? 'ru-RU' : 'en-GB';
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : new Intl.DateTimeFormat(loc, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(d) + ' UTC';
}
