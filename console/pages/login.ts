import { api, onSubmit, session } from '../lib';

export function loginPage() {
  document.title = '登录 · 联动执法协作平台';
  document.getElementById('main')!.innerHTML = `<form class="card login" id="login-form" novalidate>
    <h1>登录</h1>
    <label for="username">用户名</label><input id="username" data-name="username" autocomplete="username" required />
    <label for="password">密码</label><input id="password" data-name="password" type="password" autocomplete="current-password" required />
    <p id="login-error" class="error" role="alert" hidden></p>
    <button type="submit">登录</button>
  </form>`;
  const form = document.getElementById('login-form') as HTMLFormElement;
  (document.getElementById('username') as HTMLInputElement).focus();
  onSubmit(form, async (data) => {
    // The password is sent as typed (readForm trims text).
    const r = await api('POST', '/auth/login', {
      username: data.username,
      password: (document.getElementById('password') as HTMLInputElement).value,
    });
    session.csrf = r.csrfToken;
    sessionStorage.setItem('csrf', session.csrf);
    session.me = r.user;
    location.hash = '#/';
  });
}
